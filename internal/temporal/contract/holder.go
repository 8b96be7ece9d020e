package contract

import "time"

// Holder is the worker holding a set of files: its own task queue, and how
// long a task may wait there before that worker is presumed gone. An empty
// queue means any worker (a single worker, or one shared data folder).
type Holder struct {
	Queue     string        `json:"queue,omitempty"`
	GoneAfter time.Duration `json:"gone_after,omitempty"`
}
