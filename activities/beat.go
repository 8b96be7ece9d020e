package activities

import (
	"context"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
)

// beatEvery is how often a keep-alive heartbeat repeats the last progress.
// It stays well under the heartbeat timeouts the workflows set (15 s).
const beatEvery = 4 * time.Second

// beater heartbeats an activity's last progress at a steady pace while the
// activity runs, so that a step that reports nothing for a while (a parser
// reading its input before its first document, a slow store) is not taken
// for a dead worker. Stalls are caught by the step's own limits instead
// (the parser's no-progress limit), and a dead worker still stops beating.
type beater struct {
	ctx  context.Context
	mu   sync.Mutex
	last any
	stop chan struct{}
	done chan struct{}
}

// keepBeating starts beating with details: pass the previous attempt's
// heartbeat so that its resume point survives until the next one.
func keepBeating(ctx context.Context, details any) *beater {
	b := &beater{ctx: ctx, last: details, stop: make(chan struct{}), done: make(chan struct{})}
	go b.run()
	return b
}

func (b *beater) run() {
	defer close(b.done)
	t := time.NewTicker(beatEvery)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-b.ctx.Done():
			return
		case <-t.C:
			b.mu.Lock()
			last := b.last
			b.mu.Unlock()
			activity.RecordHeartbeat(b.ctx, last)
		}
	}
}

// set records new progress now and makes it the one repeated.
func (b *beater) set(details any) {
	b.mu.Lock()
	b.last = details
	b.mu.Unlock()
	activity.RecordHeartbeat(b.ctx, details)
}

// close stops the beating and waits for it.
func (b *beater) close() {
	close(b.stop)
	<-b.done
}
