// Package deploy holds the deployment files (the Dockerfile, the
// Kubernetes manifests) and the tests that keep them true: the compose file
// is valid as `docker compose config` reads it, and the compose file and
// the Kubernetes manifests run the same Studio commands with the same
// settings, which the production topology test (e2e) runs.
package deploy

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"

	"studio/internal/app/config"
	"studio/internal/testsupport/testenv"
	"studio/internal/testsupport/testenv/deployspec"
)

// TestComposeValid loads docker-compose.yml the way `docker compose
// config` does (the compose specification's own loader and schema) and
// checks the services the topology needs.
func TestComposeValid(t *testing.T) {
	root := testenv.RepoRoot(t)
	opts, err := cli.NewProjectOptions([]string{filepath.Join(root, "docker-compose.yml")},
		cli.WithWorkingDirectory(root), cli.WithName("studio"), cli.WithInterpolation(true))
	if err != nil {
		t.Fatal(err)
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	for _, name := range []string{"temporal", "mongodb", "elasticsearch", "studio-server", "studio-worker", "studio-api"} {
		if _, err := project.GetService(name); err != nil {
			t.Errorf("docker-compose.yml: %v", err)
		}
	}
	// Workers share no folder: no named volume at /data for them.
	w, err := project.GetService("studio-worker")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range w.Volumes {
		if v.Target == "/data" && v.Source != "" {
			t.Errorf("studio-worker mounts the named volume %q at /data: workers share no folder (an anonymous volume per container)", v.Source)
		}
	}
}

// TestKubernetesMatchesCompose checks that each Studio process runs with
// the same arguments and the same settings in both deployments, and that
// every setting is one the studio command knows.
func TestKubernetesMatchesCompose(t *testing.T) {
	root := testenv.RepoRoot(t)
	compose, err := deployspec.Compose(filepath.Join(root, "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	kube, err := deployspec.Kubernetes(filepath.Join(root, "deploy", "kubernetes"))
	if err != nil {
		t.Fatal(err)
	}
	known := knownEnv()
	for _, role := range deployspec.Roles {
		c, inCompose := compose[role]
		k, inKube := kube[role]
		if !inCompose || !inKube {
			t.Errorf("studio %s: in docker-compose.yml %v, in deploy/kubernetes %v; want both", role, inCompose, inKube)
			continue
		}
		if !reflect.DeepEqual(c.Args, k.Args) {
			t.Errorf("studio %s: docker-compose.yml runs %q, deploy/kubernetes %q", role, c.Args, k.Args)
		}
		if !reflect.DeepEqual(c.EnvKeys(), k.EnvKeys()) {
			t.Errorf("studio %s: docker-compose.yml sets %v, deploy/kubernetes %v", role, c.EnvKeys(), k.EnvKeys())
		}
		for key, v := range c.Env {
			if !known[key] {
				t.Errorf("studio %s: docker-compose.yml sets %s, which no studio setting reads", role, key)
			}
			if strings.HasPrefix(key, "STUDIO_") || key == "TEMPORAL_NAMESPACE" || key == "MONGO_DATABASE" {
				if k.Env[key] != v {
					t.Errorf("studio %s: %s is %q in docker-compose.yml, %q in deploy/kubernetes", role, key, v, k.Env[key])
				}
			}
		}
	}
}

// knownEnv is every environment variable a studio setting reads.
func knownEnv() map[string]bool {
	cfg := config.Default()
	out := map[string]bool{}
	for _, name := range cfg.EnvNames() {
		out[name] = true
	}
	return out
}
