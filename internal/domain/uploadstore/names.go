package uploadstore

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"studio/internal/engine/docstore"
)

// names derives and recognises the collections of one uploader.
type names string

func (n names) live() string { return string(n) }

func (n names) temp(suffix string) string { return string(n) + "_temp_" + suffix }

func (n names) archive(day, suffix string) string {
	return string(n) + "_archive_" + day + "_" + suffix
}

// isTemp reports whether c is <name>_temp_<8 hex>.
func (n names) isTemp(c string) bool {
	rest, ok := strings.CutPrefix(c, string(n)+"_temp_")
	return ok && isHex8(rest)
}

// archiveKey returns "<YYYYMMDD>_<8 hex>" when c is an archive of n; keys
// sort by age.
func (n names) archiveKey(c string) (string, bool) {
	rest, ok := strings.CutPrefix(c, string(n)+"_archive_")
	if !ok || len(rest) != 17 || rest[8] != '_' || !isHex8(rest[9:]) {
		return "", false
	}
	if _, err := strconv.ParseUint(rest[:8], 10, 32); err != nil {
		return "", false
	}
	return rest, true
}

// archives returns the archives of n among cols, oldest first.
func (n names) archives(cols []string) []string {
	var out []string
	for _, c := range cols {
		if _, ok := n.archiveKey(c); ok {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b string) int {
		ka, _ := n.archiveKey(a)
		kb, _ := n.archiveKey(b)
		return strings.Compare(ka, kb)
	})
	return out
}

// temps returns the temp collections of n among cols, with the side
// collections of parallel uploads (<temp>_dups).
func (n names) temps(cols []string) []string {
	var out []string
	for _, c := range cols {
		if base, ok := strings.CutSuffix(c, "_dups"); n.isTemp(c) || ok && n.isTemp(base) {
			out = append(out, c)
		}
	}
	return out
}

// newArchive names the archive made at now: its suffix is the millisecond
// of the (UTC) day shifted left by 5 bits plus 5 random bits, raised above
// any archive of the same day so that names keep sorting by age.
func (n names) newArchive(cols []string, now time.Time) string {
	now = now.UTC()
	day := now.Format("20060102")
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	v := uint32(now.Sub(midnight).Milliseconds())<<5 | randUint32()&31
	for _, c := range n.archives(cols) {
		k, _ := n.archiveKey(c)
		if k[:8] != day {
			continue
		}
		if prev, _ := strconv.ParseUint(k[9:], 16, 32); uint32(prev) >= v {
			v = uint32(prev) + 1
		}
	}
	return n.archive(day, fmt.Sprintf("%08x", v))
}

func isHex8(s string) bool {
	if len(s) != 8 {
		return false
	}
	for _, r := range s {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}

func randUint32() uint32 {
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return binary.BigEndian.Uint32(b[:])
}

func randHex8() string { return fmt.Sprintf("%08x", randUint32()) }

// restoreLive undoes a switch interrupted between its two renames: when
// <name> is missing while an archive and a temp collection exist, the newest
// archive is renamed back to <name>. It reports the archive restored, if any.
func restoreLive(ctx context.Context, db docstore.Store, n names, cols []string) (string, error) {
	archives := n.archives(cols)
	if slices.Contains(cols, n.live()) || len(archives) == 0 || len(n.temps(cols)) == 0 {
		return "", nil
	}
	newest := archives[len(archives)-1]
	if err := db.Rename(ctx, newest, n.live(), false); err != nil {
		return "", fmt.Errorf("store: %q is missing after an interrupted switch; restoring it from %q failed: %w", n.live(), newest, err)
	}
	return newest, nil
}
