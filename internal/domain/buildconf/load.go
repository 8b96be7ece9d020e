package buildconf

import (
	"context"
	"encoding/json"
	"fmt"

	"studio/internal/domain/hub"
	"studio/internal/engine/docstore"
)

// Load reads the build configuration name from the hub's src_build_config.
func Load(ctx context.Context, hubDB docstore.Store, name string) (Config, error) {
	var c Config
	d, err := hubDB.C(hub.SrcBuildConfig).Get(ctx, name)
	if err != nil {
		return c, fmt.Errorf("build configuration %q: %w", name, err)
	}
	b, _ := json.Marshal(d)
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("build configuration %q: %w", name, err)
	}
	return c, nil
}
