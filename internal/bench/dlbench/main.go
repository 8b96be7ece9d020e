// Command dlbench measures download.Fetch's throughput against curl on the
// same loopback HTTP server and file, so that the dumper's transfer layer
// can be checked to be about as fast as the standard tool.
//
//	go run ./internal/bench/dlbench -size 500MB
package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"studio/internal/domain/download"
)

func main() {
	sizeFlag := flag.String("size", "500MB", "size of the served file (B, KB, MB, GB; KiB, MiB, GiB)")
	runs := flag.Int("runs", 3, "downloads per tool")
	flag.Parse()
	size, err := parseSize(*sizeFlag)
	if err != nil {
		fail(err)
	}
	if err := run(size, *runs); err != nil {
		fail(err)
	}
}

func fail(err error) {
	slog.Error("dlbench failed", "err", err)
	os.Exit(1)
}

func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}
	for _, u := range units {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			n, err := strconv.ParseFloat(num, 64)
			if err != nil || n <= 0 {
				return 0, fmt.Errorf("invalid -size %q: want a number and a unit, e.g. 500MB", s)
			}
			return int64(n * float64(u.mult)), nil
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("invalid -size %q: want a number and a unit, e.g. 500MB", s)
	}
	return n, nil
}

func run(size int64, runs int) error {
	tmp, err := os.MkdirTemp("", "dlbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	src := filepath.Join(tmp, "served.bin")
	if err := writeFile(src, size); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, src)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	url := "http://" + ln.Addr().String() + "/served.bin"
	fmt.Printf("file: %d bytes (%.0f MB), %d runs each, loopback %s\n", size, float64(size)/1e6, runs, url)

	var fetch, curl []float64
	for i := 0; i < runs; i++ {
		dir := filepath.Join(tmp, fmt.Sprintf("fetch-%d", i))
		start := time.Now()
		info, err := download.Fetch(context.Background(), url, dir, download.Options{})
		if err != nil {
			return err
		}
		el := time.Since(start)
		if info.Size != size {
			return fmt.Errorf("Fetch wrote %d bytes, want %d", info.Size, size)
		}
		fetch = append(fetch, mbps(size, el))
		fmt.Printf("  Fetch run %d: %.3fs  %.0f MB/s\n", i+1, el.Seconds(), mbps(size, el))
		os.RemoveAll(dir)
	}
	curlPath, err := exec.LookPath("curl")
	if err != nil {
		fmt.Println("  curl: not found in PATH, skipping the comparison")
	} else {
		for i := 0; i < runs; i++ {
			out := filepath.Join(tmp, fmt.Sprintf("curl-%d.bin", i))
			start := time.Now()
			cmd := exec.Command(curlPath, "-s", "-o", out, url)
			cmd.Stderr = os.Stderr
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("curl: %w", err)
			}
			el := time.Since(start)
			curl = append(curl, mbps(size, el))
			fmt.Printf("  curl  run %d: %.3fs  %.0f MB/s\n", i+1, el.Seconds(), mbps(size, el))
			os.Remove(out)
		}
	}
	fmt.Printf("Fetch median: %.0f MB/s\n", median(fetch))
	if len(curl) > 0 {
		fmt.Printf("curl  median: %.0f MB/s\n", median(curl))
		fmt.Printf("ratio Fetch/curl: %.2f (target >= 0.90)\n", median(fetch)/median(curl))
	}
	return nil
}

// writeFile writes size bytes of incompressible data, one random block
// repeated, which is fast to produce.
func writeFile(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	block := make([]byte, 4<<20)
	rand.Read(block)
	for left := size; left > 0; {
		n := min(left, int64(len(block)))
		if _, err := f.Write(block[:n]); err != nil {
			f.Close()
			return err
		}
		left -= n
	}
	return f.Close()
}

func mbps(size int64, d time.Duration) float64 { return float64(size) / 1e6 / d.Seconds() }

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2]
}
