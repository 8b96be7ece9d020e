package dataapi

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"studio/internal/domain/hub"
	"studio/internal/engine/docstore"
	"studio/internal/engine/search"
)

// Instance is a data API instance to create: the hub's api record, served
// by the APIService workflow.
type Instance struct {
	Name        string `json:"name"`
	Index       string `json:"index"`
	Port        int    `json:"port"`
	Description string `json:"description"`
	Host        string `json:"host"` // default 127.0.0.1
	Settings
}

var instanceName = regexp.MustCompile(`^[A-Za-z0-9_\-]+$`)

// ErrInstanceExists is returned by AddInstance for a name that is taken.
var ErrInstanceExists = errors.New("data API instance exists")

// InstanceError is an instance AddInstance refuses; its message names the
// parameter.
type InstanceError struct{ Err error }

func (e *InstanceError) Error() string { return e.Err.Error() }
func (e *InstanceError) Unwrap() error { return e.Err }

// AddInstance checks in (its name, port and settings: an *InstanceError),
// that the search engine has its index (a *NoIndexError) and that its name
// is free (ErrInstanceExists), then records it, stopped, in the hub; it
// returns the record.
func AddInstance(ctx context.Context, hubDB docstore.Store, eng search.Engine, in Instance) (hub.DataAPI, error) {
	switch {
	case !instanceName.MatchString(in.Name):
		return hub.DataAPI{}, &InstanceError{fmt.Errorf("name %q: use letters, digits, '_' and '-'", in.Name)}
	case in.Port < 1024 || in.Port > 65535:
		return hub.DataAPI{}, &InstanceError{fmt.Errorf("port %d: want 1024..65535 (a non-privileged port)", in.Port)}
	case in.Index == "":
		return hub.DataAPI{}, &InstanceError{errors.New("index is required")}
	}
	if err := in.Settings.Validate(); err != nil {
		return hub.DataAPI{}, &InstanceError{err}
	}
	if in.Host == "" {
		in.Host = "127.0.0.1"
	}
	if _, err := eng.GetIndex(ctx, in.Index); err != nil {
		return hub.DataAPI{}, &NoIndexError{Index: in.Index, Err: err}
	}
	r := hub.Records{Store: hubDB}
	if exists, err := r.Exists(ctx, hub.API, in.Name); err != nil {
		return hub.DataAPI{}, err
	} else if exists {
		return hub.DataAPI{}, fmt.Errorf("%w: %q", ErrInstanceExists, in.Name)
	}
	rec := hub.DataAPI{ID: in.Name, Name: in.Name, Index: in.Index, Port: int64(in.Port), Host: in.Host,
		Description: in.Description, Status: "stopped", CreatedAt: hub.Now()}
	in.Settings.SetOn(&rec)
	return r.AddDataAPI(ctx, rec)
}

// NoIndexError is an instance of an index the search engine cannot give.
type NoIndexError struct {
	Index string
	Err   error
}

func (e *NoIndexError) Error() string { return fmt.Sprintf("index %q: %v", e.Index, e.Err) }
func (e *NoIndexError) Unwrap() error { return e.Err }
