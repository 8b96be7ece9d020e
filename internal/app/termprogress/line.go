// Package termprogress shows the progress of a running command in a
// terminal: one line with a bar, done/total, unit, rate and time left,
// redrawn in place when the output is a terminal, or written as plain lines
// at most once a second when it is a file or a pipe.
package termprogress

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"studio/internal/temporal/progress"
)

// Bar widths: a bar narrower than minBar says nothing and is left out.
const (
	minBar = 10
	maxBar = 30
)

// Line renders one progress line of at most width runes: the label and the
// step, then, when the total is known, a bar and the percentage, then the
// amount done (of the total) in its unit, the rate and the time left.
// A width of 0 or less means no limit.
func Line(label string, p progress.Progress, width int) string {
	head := strings.TrimSpace(label + " " + p.Step)
	var tail []string
	pct := ""
	if p.Total > 0 {
		pct = fmt.Sprintf("%3d%%", percent(p.Done, p.Total))
	}
	tail = append(tail, Amount(p.Done, p.Total, p.Unit))
	if p.Rate > 0 {
		tail = append(tail, Rate(p.Rate, p.Unit))
	}
	if eta := p.ETA(); eta > 0 {
		tail = append(tail, "ETA "+Duration(eta))
	}
	rest := strings.Join(tail, "  ")
	if pct == "" {
		return Fit(head+"  "+rest, width)
	}
	// The bar takes what the text leaves, within [minBar, maxBar].
	fixed := utf8.RuneCountInString(head) + 2 + 2 + len(pct) + 2 + utf8.RuneCountInString(rest)
	barWidth := maxBar
	if width > 0 {
		barWidth = min(maxBar, width-fixed)
	}
	if barWidth < minBar {
		return Fit(head+"  "+pct+"  "+rest, width)
	}
	return Fit(head+"  "+Bar(p.Done, p.Total, barWidth)+"  "+pct+"  "+rest, width)
}

// percent is done over total in whole percent, 100 only when done.
func percent(done, total int64) int {
	if done >= total {
		return 100
	}
	return min(99, int(100*float64(done)/float64(total)))
}

// Bar draws done/total as width runes: "[####......]".
func Bar(done, total int64, width int) string {
	inner := max(width-2, 0)
	filled := inner
	if done < total && total > 0 {
		filled = int(float64(inner) * float64(max(done, 0)) / float64(total))
	}
	return "[" + strings.Repeat("#", filled) + strings.Repeat(".", inner-filled) + "]"
}

// Amount shows done, and the total when known, in the unit: bytes in
// binary multiples ("1.5 MiB/3.0 MiB"), other units as grouped counts
// ("1,234/2,700 docs").
func Amount(done, total int64, unit string) string {
	if unit == "bytes" {
		if total > 0 {
			return Bytes(float64(done)) + "/" + Bytes(float64(total))
		}
		return Bytes(float64(done))
	}
	s := Count(done)
	if total > 0 {
		s += "/" + Count(total)
	}
	if unit != "" {
		s += " " + unit
	}
	return s
}

// Rate shows units per second.
func Rate(rate float64, unit string) string {
	if unit == "bytes" {
		return Bytes(rate) + "/s"
	}
	var n string
	if rate < 10 {
		n = strconv.FormatFloat(rate, 'f', 1, 64)
	} else {
		n = Count(int64(math.Round(rate)))
	}
	if unit == "" {
		return n + "/s"
	}
	return n + " " + unit + "/s"
}

// Bytes shows a byte count in binary multiples: "512 B", "1.5 KiB".
func Bytes(n float64) string {
	const units = "KMGTPE"
	if n < 1024 {
		return fmt.Sprintf("%d B", int64(n))
	}
	i := -1
	for n >= 1024 && i < len(units)-1 {
		n /= 1024
		i++
	}
	return fmt.Sprintf("%.1f %ciB", n, units[i])
}

// Count groups the digits of n by thousands: 1234567 -> "1,234,567".
func Count(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Duration shows a time left in whole seconds, rounded up so that work
// not done never shows "0s", compactly: "45s", "3m05s", "2h07m".
func Duration(d time.Duration) string {
	s := int64((d + time.Second - 1) / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	default:
		return fmt.Sprintf("%dh%02dm", s/3600, (s%3600)/60)
	}
}

// Fit cuts s to at most width runes, ending a cut line with "…". A width of
// 0 or less means no limit.
func Fit(s string, width int) string {
	if width <= 0 || utf8.RuneCountInString(s) <= width {
		return s
	}
	if width == 1 {
		return "…"
	}
	r := []rune(s)
	return string(r[:width-1]) + "…"
}
