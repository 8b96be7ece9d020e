package manifest

import (
	"math"
	"regexp"
	"strconv"
	"strings"
)

// BioThings reads manifest.yaml with PyYAML's safe_load, which follows YAML
// 1.1, while gopkg.in/yaml.v3 follows YAML 1.2. Plain (unquoted, untagged)
// scalars are therefore typed here as YAML 1.1 types them, so that a
// manifest means the same in both: "uncompress: yes" is true, "version:
// 1e3" is a string (YAML 1.1 floats need a dot), "0o17" is a string and
// "017" the octal 15. Timestamps stay strings, as before.
var (
	yaml11Null  = regexp.MustCompile(`^(?:~|null|Null|NULL|)$`)
	yaml11True  = regexp.MustCompile(`^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$`)
	yaml11False = regexp.MustCompile(`^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$`)
	yaml11Int   = regexp.MustCompile(`^[-+]?(?:0b[01_]+|0[0-7_]+|0|[1-9][0-9_]*|0x[0-9a-fA-F_]+|[1-9][0-9_]*(?::[0-5]?[0-9])+)$`)
	yaml11Float = regexp.MustCompile(`^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`)
)

// yaml11Scalar sets v from a plain YAML scalar s, typed as YAML 1.1 does.
func yaml11Scalar(s string, v *value) {
	switch {
	case yaml11Null.MatchString(s):
		v.kind = kindNull
	case yaml11True.MatchString(s):
		v.kind, v.b = kindBool, true
	case yaml11False.MatchString(s):
		v.kind, v.b = kindBool, false
	case yaml11Int.MatchString(s):
		if f, ok := yaml11IntValue(s); ok {
			v.kind, v.f, v.num = kindNumber, f, s
			return
		}
		v.kind, v.s = kindString, s
	case yaml11Float.MatchString(s):
		v.kind, v.f, v.num = kindNumber, yaml11FloatValue(s), s
	default:
		v.kind, v.s = kindString, s
	}
}

// sign splits a leading sign off s: -1 or 1, and the rest.
func sign(s string) (float64, string) {
	switch {
	case strings.HasPrefix(s, "-"):
		return -1, s[1:]
	case strings.HasPrefix(s, "+"):
		return 1, s[1:]
	}
	return 1, s
}

// sexagesimal reads "1:20:30" (base 60) with last the value of the last
// part.
func sexagesimal(parts []string, last float64) float64 {
	n := 0.0
	for _, p := range parts[:len(parts)-1] {
		d, _ := strconv.Atoi(p)
		n = n*60 + float64(d)
	}
	return n*60 + last
}

func yaml11IntValue(s string) (float64, bool) {
	sg, s := sign(strings.ReplaceAll(s, "_", ""))
	if strings.Contains(s, ":") {
		parts := strings.Split(s, ":")
		last, _ := strconv.Atoi(parts[len(parts)-1])
		return sg * sexagesimal(parts, float64(last)), true
	}
	base, digits := 10, s
	switch {
	case strings.HasPrefix(s, "0b"):
		base, digits = 2, s[2:]
	case strings.HasPrefix(s, "0x"):
		base, digits = 16, s[2:]
	case len(s) > 1 && s[0] == '0':
		base, digits = 8, s[1:]
	}
	if digits == "" {
		return 0, false // "0b_" once underscores are gone
	}
	n, err := strconv.ParseUint(digits, base, 64)
	if err != nil && base == 10 {
		f, err := strconv.ParseFloat(digits, 64) // beyond 64 bits
		return sg * f, err == nil
	}
	if err != nil {
		return 0, false
	}
	return sg * float64(n), true
}

func yaml11FloatValue(s string) float64 {
	sg, s := sign(strings.ReplaceAll(s, "_", ""))
	switch strings.ToLower(s) {
	case ".inf":
		return sg * math.Inf(1)
	case ".nan":
		return math.NaN()
	}
	if strings.Contains(s, ":") {
		parts := strings.Split(s, ":")
		last, _ := strconv.ParseFloat(parts[len(parts)-1], 64)
		return sg * sexagesimal(parts, last)
	}
	f, _ := strconv.ParseFloat(s, 64)
	return sg * f
}
