package server

import (
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/gofiber/contrib/websocket"

	"studio/internal/app/version"
)

// fanout fans live-channel messages out to every connected websocket.
type fanout struct {
	log     *slog.Logger
	mu      sync.Mutex
	clients map[*wsClient]struct{}
}

type wsClient struct {
	out  chan []byte
	once sync.Once
}

func (w *wsClient) close() { w.once.Do(func() { close(w.out) }) }

func newHub(log *slog.Logger) *fanout {
	return &fanout{log: log, clients: map[*wsClient]struct{}{}}
}

// broadcast sends v to every client; a client too slow to keep a backlog of
// 256 messages is disconnected (it reconnects and reloads state).
func (h *fanout) broadcast(v any) {
	msg, err := json.Marshal(v)
	if err != nil {
		h.log.Error("live channel: encode", "err", err)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.clients {
		select {
		case c.out <- msg:
		default:
			delete(h.clients, c)
			c.close()
		}
	}
}

// active says whether any client is connected.
func (h *fanout) active() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients) > 0
}

func (h *fanout) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.clients {
		delete(h.clients, c)
		c.close()
	}
}

// send queues msg for one client, unless it is gone or too far behind.
func (h *fanout) send(c *wsClient, msg []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.clients[c]; !ok {
		return
	}
	select {
	case c.out <- msg:
	default:
	}
}

func (h *fanout) remove(c *wsClient) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.clients[c]; ok {
		delete(h.clients, c)
		c.close()
	}
}

// serve runs one websocket: a writer draining the client's queue, and a
// reader answering {"op":"ping"} with {"op":"pong"} (echoing "t", so the
// client can measure round trips).
func (h *fanout) serve(conn *websocket.Conn) {
	c := &wsClient{out: make(chan []byte, 256)}
	hello, _ := json.Marshal(map[string]any{"op": "hello", "version": version.Version, "time": time.Now().UTC()})
	c.out <- hello
	h.mu.Lock()
	h.clients[c] = struct{}{}
	h.mu.Unlock()

	go func() {
		defer h.remove(c)
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				return
			}
			var in struct {
				Op string `json:"op"`
				T  any    `json:"t,omitempty"`
			}
			if json.Unmarshal(data, &in) != nil || in.Op != "ping" {
				continue
			}
			pong, _ := json.Marshal(map[string]any{"op": "pong", "t": in.T})
			h.send(c, pong)
		}
	}()
	for msg := range c.out {
		_ = conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
		if err := conn.WriteMessage(websocket.TextMessage, msg); err != nil {
			h.remove(c)
			break
		}
	}
	_ = conn.Close()
}
