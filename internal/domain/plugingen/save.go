package plugingen

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"studio/internal/domain/hub"
	"studio/internal/engine/docstore"
)

// TakenError is a plugin name that is the source of a plugin registered
// from elsewhere: saving would replace it.
type TakenError struct {
	Name string
	URL  string // where the registered plugin comes from
}

func (e *TakenError) Error() string {
	return fmt.Sprintf("a source named %q is already registered from %s: choose another name", e.Name, e.URL)
}

// Save writes the plan's plugin in dir (Write), the folder of the plugins
// made here, unless its name is the source of a plugin registered from
// elsewhere (a *TakenError). The same plugin saved again is a new commit
// of the same repository.
func Save(ctx context.Context, hubDB docstore.Store, dir string, p *Plan) (Written, error) {
	name := p.Options.Name
	plug, err := hub.Records{Store: hubDB}.Plugin(ctx, name)
	switch {
	case errors.Is(err, hub.ErrNoSource):
	case err != nil:
		return Written{}, err
	case plug.Plugin.URL != "" && !strings.HasSuffix(strings.TrimRight(plug.Plugin.URL, "/"), dir):
		return Written{}, &TakenError{Name: name, URL: plug.Plugin.URL}
	}
	return Write(ctx, dir, p.Manifest, Readme(p.Options, p.Sample.URL))
}
