package key_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/internal/cli"
	"github.com/chcloud-dev/chcloud/internal/cli/clitest"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/internal/cli/config"
)

// readmeExamples are the command lines of the README section "API keys beyond the console:
// rotation and audit", in its order, exactly as printed there (the section is kept in
// /work/notes/keys-cli-s17.md until it is pasted). TestREADMEExamples runs each against the
// fake and checks what the README says it does; once README.md has the section, the test also
// fails when a `chcloud key rotate|audit|disable` line there is not one of these.
var readmeExamples = []string{
	`chcloud key rotate ci --dry-run`,
	`chcloud key rotate ci`,
	`chcloud key rotate deploy --grace 24h --secret-file deploy-key.json`,
	`chcloud key disable deploy`,
	`chcloud key audit`,
	`chcloud key audit --unused 60d --fail-on critical`,
	`chcloud key audit --jq '.[] | select(.level == "critical") | .keyName'`,
}

// readmeSection is the heading of the section in README.md.
const readmeSection = "### API keys beyond the console: rotation and audit"

// words splits a command line as sh would for these examples: spaces, and single quotes.
func words(line string) []string {
	var out []string
	var cur strings.Builder
	quoted, started := false, false
	for _, r := range line {
		switch {
		case r == '\'':
			quoted, started = !quoted, true
		case r == ' ' && !quoted:
			if started {
				out = append(out, cur.String())
				cur.Reset()
				started = false
			}
		default:
			cur.WriteRune(r)
			started = true
		}
	}
	if started {
		out = append(out, cur.String())
	}
	return out
}

func TestREADMEExamples(t *testing.T) {
	env := clitest.New(t, true) // the README shows what a terminal shows
	t.Chdir(t.TempDir())        // deploy-key.json is written here
	srv := env.Server
	run := func(args ...string) error {
		env.F.ResetClient()
		return env.Execute(cli.NewRootCommand(env.F), args...)
	}
	// The organization of the README: its first admin key renamed "bootstrap", "ci" (admin, the
	// key of profile "default", as after `chcloud auth login`) and "deploy" (developer).
	created := map[string]struct{ KeyID, KeySecret string }{}
	for _, args := range [][]string{
		{"key", "update", "fake-admin-key", "--name", "bootstrap"},
		{"key", "create", "--name", "ci", "--role", "admin", "--expires", "90d", "--ip-allow", "203.0.113.0/24"},
		{"key", "create", "--name", "deploy", "--role", "developer", "--expires", "30d", "--ip-allow", "203.0.113.0/24"},
	} {
		args = append(args, "--api-key", srv.KeyID, "--api-secret", srv.KeySecret, "--api-url", srv.URL, "-o", "json")
		if err := run(args...); err != nil {
			t.Fatal(clitest.Printed(err))
		}
		var c struct{ KeyID, KeySecret string }
		_ = json.Unmarshal(env.Out.Bytes(), &c)
		created[args[3]] = c
	}
	path := filepath.Join(env.Vars["XDG_CONFIG_HOME"], "chcloud", "config.yaml")
	profile := config.Profile{APIKey: created["ci"].KeyID, APISecret: created["ci"].KeySecret, APIURL: srv.URL}
	if err := (&config.File{Profiles: map[string]config.Profile{"default": profile}}).Save(path); err != nil {
		t.Fatal(err)
	}
	// What each example must do; key facts only, the README shows the rest.
	checks := []func(t *testing.T, err error, out string){
		func(t *testing.T, err error, out string) { // rotate ci --dry-run
			wantOK(t, err)
			has(t, out, "Dry run, nothing changed", `create "ci (rotated `, `into profile "default"`, "disable the old key")
			if p := loadProfile(t, path); p.APIKey != profile.APIKey {
				t.Error("--dry-run changed the profile")
			}
		},
		func(t *testing.T, err error, out string) { // rotate ci
			wantOK(t, err)
			has(t, out, `Rotated API key "ci"`, "Key secret:", `Profile "default"`, "now uses the new key", "The old key is disabled.")
			if p := loadProfile(t, path); p.APIKey == profile.APIKey || p.APISecret == "" {
				t.Error("the profile still holds the old key")
			}
		},
		func(t *testing.T, err error, out string) { // rotate deploy --grace 24h --secret-file deploy-key.json
			wantOK(t, err)
			has(t, out, `Rotated API key "deploy"`, "stays enabled for the grace period", "finish with:", "chcloud key disable ")
			var saved struct{ KeyID, KeySecret string }
			raw, err := os.ReadFile("deploy-key.json")
			if err := json.Unmarshal(raw, &saved); err != nil || saved.KeySecret == "" {
				t.Errorf("deploy-key.json is not the answer (%v, %d bytes)", err, len(raw))
			}
			if info, _ := os.Stat("deploy-key.json"); err != nil || info.Mode().Perm() != 0o600 {
				t.Errorf("deploy-key.json: %v", err)
			}
		},
		func(t *testing.T, err error, out string) { // disable deploy
			wantOK(t, err)
			has(t, out, "deploy", "disabled")
		},
		func(t *testing.T, err error, out string) { // audit
			wantOK(t, err)
			has(t, out, "LEVEL", "KEY", "RULE", "MESSAGE", "critical  bootstrap (…", "admin-no-expiry-open")
		},
		func(t *testing.T, err error, out string) { // audit --unused 60d --fail-on critical
			if cmdutil.ExitCode(err) != cmdutil.ExitFindings || !strings.Contains(clitest.Printed(err), "error: 1 finding at level critical or above") {
				t.Errorf("exit %d: %s", cmdutil.ExitCode(err), clitest.Printed(err))
			}
			has(t, out, "bootstrap")
		},
		func(t *testing.T, err error, out string) { // audit --jq
			wantOK(t, err)
			if strings.TrimSpace(out) != "bootstrap" {
				t.Errorf("printed %q, want bootstrap", out)
			}
		},
	}
	if len(checks) != len(readmeExamples) {
		t.Fatalf("%d checks for %d examples", len(checks), len(readmeExamples))
	}
	for i, line := range readmeExamples {
		args := words(line)
		if args[0] != "chcloud" {
			t.Fatalf("example %q does not start with chcloud", line)
		}
		err := run(args[1:]...)
		t.Run(line, func(t *testing.T) { checks[i](t, err, env.Out.String()) })

	}
}

func TestREADMEHasOnlyTestedKeyExamples(t *testing.T) {
	raw, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	start := strings.Index(readme, readmeSection)
	if start < 0 {
		t.Fatalf("README.md has no section %q: the key rotate/audit documentation these examples belong to is gone", readmeSection)
	}
	section := readme[start+len(readmeSection):]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	if end := strings.Index(section, "\n### "); end >= 0 {
		section = section[:end]
	}
	// The command lines of its ```sh blocks (output samples and the workflow's YAML are other
	// blocks).
	line := regexp.MustCompile(`^\s*(chcloud key (?:rotate|audit|disable)\b.*?)\s*(?:#.*)?$`)
	found, inSh := 0, false
	for _, l := range strings.Split(section, "\n") {
		switch {
		case strings.HasPrefix(l, "```"):
			inSh = !inSh && strings.TrimPrefix(l, "```") == "sh"
		case inSh:
			if m := line.FindStringSubmatch(l); m != nil {
				found++
				if !slices.Contains(readmeExamples, m[1]) {
					t.Errorf("README example %q is not run by TestREADMEExamples: add it to readmeExamples", m[1])
				}
			}
		}
	}
	if found < len(readmeExamples) {
		t.Errorf("README section shows %d of the %d tested examples", found, len(readmeExamples))
	}
	// Its table of rules says what the SDK's does.
	for _, r := range cloud.KeyAuditRules {
		if row := fmt.Sprintf("| `%s` | %s |", r.ID, r.Level); !strings.Contains(section, row) {
			t.Errorf("README rules table lacks the row %q", row)
		}
	}
	if !strings.Contains(section, fmt.Sprintf("exits %d", cmdutil.ExitFindings)) {
		t.Errorf("README section does not give the exit code of --fail-on (%d)", cmdutil.ExitFindings)
	}
}

// secretLine finds the secret a terminal shows, so that a failing test does not print it.
var secretLine = regexp.MustCompile(`(Key secret:\s+)\S+`)

func wantOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(clitest.Printed(err))
	}
}

func has(t *testing.T, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, secretLine.ReplaceAllString(out, "${1}<secret>"))
		}
	}
}

func loadProfile(t *testing.T, path string) config.Profile {
	t.Helper()
	f, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return f.Profiles["default"]
}
