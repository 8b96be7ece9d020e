// Package hubclient calls the Studio hub REST API, unwrapping its envelope
// ({"result":...,"status":"ok"} or {"status":"error","error":...,"code":N}).
// The command-line client is built on it.
package hubclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// Client talks to one hub.
type Client struct {
	Base  string // e.g. http://127.0.0.1:8080
	Token string // the hub token, when the hub needs one
	HTTP  *http.Client
}

// New returns a client for the hub at base, with the token from
// STUDIO_HUB_TOKEN if set.
func New(base string) *Client {
	return &Client{Base: strings.TrimRight(base, "/"), Token: os.Getenv("STUDIO_HUB_TOKEN"), HTTP: &http.Client{Timeout: 60 * time.Second}}
}

// Error is an error answered by the hub, with the request it answered.
type Error struct {
	Method  string
	Path    string
	Code    int
	Message string
}

// Error reads "hub: PUT /source/x/dump: 404 no such source "x"".
func (e *Error) Error() string {
	return fmt.Sprintf("hub: %s %s: %d %s", e.Method, e.Path, e.Code, e.Message)
}

// Do sends a request with an optional JSON body and decodes the envelope's
// result into out (when out is not nil).
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encode request body: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, rd)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("hub at %s not reachable: %w", c.Base, err)
	}
	defer resp.Body.Close()
	var env struct {
		Status string          `json:"status"`
		Result json.RawMessage `json:"result"`
		Error  string          `json:"error"`
		Code   int             `json:"code"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		return fmt.Errorf("%s %s: answer is not the hub's JSON (HTTP %d): %w", method, path, resp.StatusCode, err)
	}
	if env.Status != "ok" {
		code := env.Code
		if code == 0 {
			code = resp.StatusCode
		}
		return &Error{Method: method, Path: path, Code: code, Message: env.Error}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(env.Result, out); err != nil {
		return fmt.Errorf("%s %s: decode result: %w", method, path, err)
	}
	return nil
}

// CommandPath is the path of one command, escaping its id's parts.
func CommandPath(id string) string {
	parts := strings.Split(id, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return "/command/" + strings.Join(parts, "/")
}
