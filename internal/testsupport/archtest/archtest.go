// Package archtest holds the import rules of the module as a test: which
// package may depend on which (see ARCHITECTURE.md, "What may import
// what"). It has no code of its own; archtest_test.go reads the module's
// dependency graph with `go list -deps -json` and fails naming the
// offending import.
package archtest
