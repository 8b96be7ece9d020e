// Command startbench measures how long `studio dev` takes from process start
// to ready (its /status answering with Temporal reachable), beside the
// Temporal dev server alone (its frontend answering), in the same run.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"syscall"
	"time"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"

	"studio/internal/bench/benchkit"
)

func main() {
	studio := flag.String("studio", "bin/studio", "studio binary")
	temporal := flag.String("temporal", "bin/temporal", "temporal CLI binary")
	runs := flag.Int("runs", 5, "runs of each")
	flag.Parse()
	var tDur, sDur []time.Duration
	for i := 0; i < *runs; i++ {
		d, err := timeTemporal(*temporal)
		if err != nil {
			fmt.Fprintln(os.Stderr, "startbench: temporal:", err)
			os.Exit(1)
		}
		tDur = append(tDur, d)
		d, err = timeStudio(*studio, *temporal)
		if err != nil {
			fmt.Fprintln(os.Stderr, "startbench: studio:", err)
			os.Exit(1)
		}
		sDur = append(sDur, d)
	}
	tm, sm := median(tDur), median(sDur)
	fmt.Printf("start-up to ready, median of %d runs (fresh data folder each run)\n", *runs)
	fmt.Printf("  %-34s %8.0f ms\n", "temporal server start-dev alone", ms(tm))
	fmt.Printf("  %-34s %8.0f ms\n", "studio dev (whole product)", ms(sm))
	fmt.Printf("  %-34s %8.2fx (target <= 1.5x)\n", "ratio studio / temporal", float64(sm)/float64(tm))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func stopProc(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(syscall.SIGINT)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

func timeTemporal(cli string) (time.Duration, error) {
	dir, err := os.MkdirTemp("", "startbench-t")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	port, err := benchkit.FreePort()
	if err != nil {
		return 0, err
	}
	uiPort, err := benchkit.FreePort()
	if err != nil {
		return 0, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	start := time.Now()
	cmd := exec.Command(cli, "server", "start-dev", "--ip", "127.0.0.1", "--port", strconv.Itoa(port),
		"--ui-port", strconv.Itoa(uiPort), "--db-filename", dir+"/t.db", "--log-level", "error")
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer stopProc(cmd)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		c, err := client.DialContext(ctx, client.Options{HostPort: addr, Logger: tlog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
		if err == nil {
			c.Close()
			return time.Since(start), nil
		}
		if ctx.Err() != nil {
			return 0, fmt.Errorf("not ready: %w", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func timeStudio(bin, cli string) (time.Duration, error) {
	dir, err := os.MkdirTemp("", "startbench-s")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	port, err := benchkit.FreePort()
	if err != nil {
		return 0, err
	}
	listen := "127.0.0.1:" + strconv.Itoa(port)
	start := time.Now()
	cmd := exec.Command(bin, "dev", "--data-dir", dir, "--listen", listen, "--temporal-cli", cli, "--log-level", "error")
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer stopProc(cmd)
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if benchkit.StudioReady("http://" + listen + "/status") {
			return time.Since(start), nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return 0, fmt.Errorf("studio dev not ready after a minute")
}
