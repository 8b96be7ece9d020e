package config

import "testing"

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		bad  bool
	}{
		{"0", 0, false},
		{"536870912", 536870912, false},
		{"512MiB", 512 << 20, false},
		{"8gib", 8 << 30, false},
		{"8G", 8 << 30, false},
		{"2GB", 2e9, false},
		{"1.5GiB", 3 << 29, false},
		{" 64 KiB ", 64 << 10, false},
		{"100b", 100, false},
		{"", 0, true},
		{"-1", 0, true},
		{"lots", 0, true},
		{"12XB", 0, true},
		{"99999999TiB", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSize(tt.in)
			if tt.bad != (err != nil) || got != tt.want {
				t.Fatalf("ParseSize(%q) = %d, %v; want %d (error %v)", tt.in, got, err, tt.want, tt.bad)
			}
		})
	}
}

func TestSizeSettings(t *testing.T) {
	c := Default()
	env := map[string]string{"STUDIO_PARSER_MAX_MEMORY": "256MiB"}
	if err := c.applyEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
		t.Fatal(err)
	}
	if c.ParserMaxMemory != 256<<20 {
		t.Fatalf("ParserMaxMemory = %d", c.ParserMaxMemory)
	}
	env["STUDIO_PARSER_MAX_MEMORY"] = "much"
	err := c.applyEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err == nil || err.Error() != `environment variable STUDIO_PARSER_MAX_MEMORY="much": want a size in bytes, such as 536870912, 512MiB, 8GiB or 2GB` {
		t.Fatalf("bad size error = %v", err)
	}
	if got := FormatSize(20 << 30); got != "20GiB" {
		t.Fatalf("FormatSize = %q", got)
	}
}
