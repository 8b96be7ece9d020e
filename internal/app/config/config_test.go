package config

import (
	"testing"

	"studio/internal/temporal/contract"
)

func TestDefaultTaskQueueIsTheContracts(t *testing.T) {
	if got := Default().TaskQueue; got != contract.TaskQueue {
		t.Fatalf("default task queue %q, the contract's is %q", got, contract.TaskQueue)
	}
}
