// Package deployspec reads, for tests, how the deployment files run the
// Studio processes: the command and the settings of each Studio service of
// docker-compose.yml, and of each Studio container of deploy/kubernetes.
// The production topology test runs exactly these; a test of the
// deployment files checks that both files agree.
package deployspec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Process is how one Studio process is run: its arguments after `studio`
// and its environment.
type Process struct {
	Args []string
	Env  map[string]string
}

// EnvKeys lists the environment's names, sorted.
func (p Process) EnvKeys() []string {
	keys := make([]string, 0, len(p.Env))
	for k := range p.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Roles are the Studio processes of a deployment, by the command they run.
var Roles = []string{"server", "worker", "api"}

var defaultRef = regexp.MustCompile(`\$\{([A-Z_][A-Z0-9_]*):-([^}]*)\}`)

// Compose reads the Studio services of the compose file at path (services
// whose image is studio:local), by role (their first argument), with
// ${VAR:-default} references replaced by their defaults.
func Compose(path string) (map[string]Process, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var file struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Command     []string          `yaml:"command"`
			Environment map[string]string `yaml:"environment"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &file); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := map[string]Process{}
	for name, svc := range file.Services {
		if svc.Image != "studio:local" {
			continue
		}
		if len(svc.Command) == 0 {
			return nil, fmt.Errorf("%s: service %s gives no command", path, name)
		}
		p := Process{Env: map[string]string{}}
		for _, a := range svc.Command {
			p.Args = append(p.Args, defaultRef.ReplaceAllString(a, "$2"))
		}
		for k, v := range svc.Environment {
			p.Env[k] = defaultRef.ReplaceAllString(v, "$2")
		}
		if _, dup := out[p.Args[0]]; dup {
			return nil, fmt.Errorf("%s: two services run `studio %s`", path, p.Args[0])
		}
		out[p.Args[0]] = p
	}
	return out, nil
}

// Kubernetes reads the Studio containers of the manifests in dir (images
// studio:local), by role, with the ConfigMaps they take their environment
// from resolved.
func Kubernetes(dir string) (map[string]Process, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	type container struct {
		Image   string   `yaml:"image"`
		Args    []string `yaml:"args"`
		EnvFrom []struct {
			ConfigMapRef struct {
				Name string `yaml:"name"`
			} `yaml:"configMapRef"`
		} `yaml:"envFrom"`
		Env []struct {
			Name  string `yaml:"name"`
			Value string `yaml:"value"`
		} `yaml:"env"`
	}
	type object struct {
		Kind     string `yaml:"kind"`
		Metadata struct {
			Name string `yaml:"name"`
		} `yaml:"metadata"`
		Data map[string]string `yaml:"data"`
		Spec struct {
			Template struct {
				Spec struct {
					Containers []container `yaml:"containers"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	configMaps := map[string]map[string]string{}
	var containers []container
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for {
			var o object
			if err := dec.Decode(&o); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			if o.Kind == "ConfigMap" {
				configMaps[o.Metadata.Name] = o.Data
			}
			for _, c := range o.Spec.Template.Spec.Containers {
				if c.Image == "studio:local" {
					containers = append(containers, c)
				}
			}
		}
	}
	out := map[string]Process{}
	for _, c := range containers {
		if len(c.Args) == 0 {
			return nil, fmt.Errorf("%s: a studio container gives no args", dir)
		}
		p := Process{Args: c.Args, Env: map[string]string{}}
		for _, from := range c.EnvFrom {
			cm, ok := configMaps[from.ConfigMapRef.Name]
			if !ok {
				return nil, fmt.Errorf("%s: `studio %s` takes its environment from ConfigMap %q, which no manifest defines", dir, c.Args[0], from.ConfigMapRef.Name)
			}
			for k, v := range cm {
				p.Env[k] = v
			}
		}
		for _, e := range c.Env {
			p.Env[e.Name] = e.Value
		}
		if _, dup := out[p.Args[0]]; dup {
			return nil, fmt.Errorf("%s: two containers run `studio %s`", dir, p.Args[0])
		}
		out[p.Args[0]] = p
	}
	return out, nil
}

// Local turns a deployment's process into one on this machine: each value
// naming a deployment's host (or folder) is replaced as hosts says, e.g.
// "temporal:7233" by the test's Temporal address, "0.0.0.0:8080" by a
// loopback port.
func (p Process) Local(hosts map[string]string) Process {
	out := Process{Env: map[string]string{}}
	for _, a := range p.Args {
		out.Args = append(out.Args, replaceAll(a, hosts))
	}
	for k, v := range p.Env {
		out.Env[k] = replaceAll(v, hosts)
	}
	return out
}

func replaceAll(s string, hosts map[string]string) string {
	if v, ok := hosts[s]; ok {
		return v
	}
	// Longest first, so that a host is not replaced inside a longer one.
	keys := make([]string, 0, len(hosts))
	for k := range hosts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) })
	for _, k := range keys {
		s = strings.ReplaceAll(s, k, hosts[k])
	}
	return s
}

// EnvList is the environment as KEY=value lines.
func (p Process) EnvList() []string {
	out := make([]string, 0, len(p.Env))
	for _, k := range p.EnvKeys() {
		out = append(out, k+"="+p.Env[k])
	}
	return out
}
