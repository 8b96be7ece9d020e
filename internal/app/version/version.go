// Package version tells which Studio this is; the Makefile stamps it.
package version

// Version is set at build time with -ldflags "-X studio/internal/app/version.Version=...".
var Version = "dev"
