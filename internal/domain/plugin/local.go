package plugin

import (
	"context"
	"fmt"
	"os"

	"studio/internal/domain/manifest"
)

// copyLocal copies a plain folder (local://) into the plugin's folder. A
// .git folder in it is left out: a local plugin has no versions.
func (p place) copyLocal(ctx context.Context, s source) (Info, *manifest.Manifest, error) {
	what := fmt.Sprintf("data plugin %s (%s)", p.name, s.shown)
	if within(s.path, p.dir) {
		return Info{}, nil, failf(ErrInvalidSource, "%s: the plugins folder %s is inside the folder to copy: keep the plugin's code elsewhere", what, p.dir)
	}
	tmp, err := p.tempDir()
	if err != nil {
		return Info{}, nil, fmt.Errorf("%s: making a work folder: %w", what, err)
	}
	defer os.RemoveAll(tmp) // gone already after a successful swap
	skip := map[string]bool{".git": true, recordName: true}
	if err := copyTree(ctx, s.path, tmp, p.f.MaxBytes, what, skip); err != nil {
		return Info{}, nil, fmt.Errorf("%s: copying: %w", what, err)
	}
	if err := checkTree(tmp, p.f.MaxBytes, what); err != nil {
		return Info{}, nil, err
	}
	m, err := p.loadManifest(ctx, tmp, s.shown)
	if err != nil {
		return Info{}, nil, err
	}
	if err := writeRecord(tmp, record{Type: TypeLocal, URL: s.shown, Key: s.key()}); err != nil {
		return Info{}, nil, fmt.Errorf("%s: %w", what, err)
	}
	if err := p.swapIn(tmp); err != nil {
		return Info{}, nil, err
	}
	info, err := p.describe()
	return info, m, err
}
