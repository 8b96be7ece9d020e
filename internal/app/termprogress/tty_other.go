//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package termprogress

import "os"

// terminalWidth reports no terminal where the window size cannot be asked:
// progress is then written as plain lines.
func terminalWidth(*os.File) (int, bool) { return 0, false }
