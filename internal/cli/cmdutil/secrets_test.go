package cmdutil_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/chcloud-dev/chcloud/internal/cli"
	"github.com/chcloud-dev/chcloud/internal/cli/clitest"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
)

// runCLI runs chcloud with args against env's fake, as a script would (stdout not a terminal).
func runCLI(t *testing.T, env *clitest.Env, args ...string) int {
	t.Helper()
	env.Vars["CLICKHOUSE_CLOUD_API_KEY"] = env.Server.KeyID
	env.Vars["CLICKHOUSE_CLOUD_API_SECRET"] = env.Server.KeySecret
	env.Vars["CLICKHOUSE_API_URL"] = env.Server.URL
	env.Out.Reset()
	env.ErrOut.Reset()
	return cli.Run(t.Context(), append(args, "--poll-interval", "5ms"), env.F)
}

// secretsOf reads the one-time secrets out of a create's answer.
func secretsOf(t *testing.T, answer []byte) []string {
	t.Helper()
	var a struct {
		KeyID, KeySecret, Password string
	}
	if err := json.Unmarshal(answer, &a); err != nil {
		t.Fatalf("not a create's answer: %v\n%s", err, answer)
	}
	var out []string
	for _, s := range []string{a.KeyID, a.KeySecret, a.Password} {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// TestJQThatDropsASecretSaysSo: --jq that leaves out a one-time secret gets a warning on stderr
// naming it (never showing it), and --secret-file keeps it.
func TestJQThatDropsASecretSaysSo(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string // in the warning
	}{
		{"key, secret only", []string{"key", "create", "--name", "deploy", "--role", "admin", "--jq", ".keySecret"}, "left out the key ID,"},
		{"key, id only", []string{"key", "create", "--name", "deploy", "--role", "admin", "--jq", ".key.id"}, "key ID and key secret"},
		{"service", []string{"service", "create", "--name", "etl", "--provider", "aws", "--region", "us-east-1", "--jq", ".service.id"}, "password of the default user"},
		{"postgres", []string{"postgres", "create", "--name", "orders", "--provider", "aws", "--region", "us-east-1", "--size", "c6gd.large", "--jq", ".id"}, "left out the password"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := clitest.New(t, false)
			if code := runCLI(t, env, tc.args...); code != 0 {
				t.Fatalf("exit %d: %s", code, env.ErrOut)
			}
			stderr := env.ErrOut.String()
			if !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, "--secret-file PATH") {
				t.Errorf("stderr = %q, want a warning naming %q and offering --secret-file", stderr, tc.want)
			}

			// The same with --secret-file: no warning, and the file holds every secret.
			file := filepath.Join(t.TempDir(), "answer.json")
			args := append(append([]string(nil), tc.args...), "--secret-file", file)
			for i, a := range args { // a new name, so that nothing clashes with the first
				if a == "--name" {
					args[i+1] += "-2"
				}
			}
			if code := runCLI(t, env, args...); code != 0 {
				t.Fatalf("exit %d: %s", code, env.ErrOut)
			}
			if strings.Contains(env.ErrOut.String(), "left out") || !strings.Contains(env.ErrOut.String(), file) {
				t.Errorf("stderr = %q, want only where the secrets went", env.ErrOut)
			}
			st, err := os.Stat(file)
			if err != nil || st.Mode().Perm() != 0o600 {
				t.Fatalf("secret file: %v, mode %v; want 0600", err, st)
			}
			answer, _ := os.ReadFile(file)
			secrets := secretsOf(t, answer)
			if len(secrets) == 0 {
				t.Fatalf("the secret file lacks the secrets: %s", answer)
			}
			for _, s := range secrets {
				if strings.Contains(env.ErrOut.String(), s) {
					t.Error("a secret was printed on stderr")
				}
			}
		})
	}
}

// TestSecretFileIsNeverReplaced: an existing --secret-file is refused before anything is
// created, and its content is untouched.
func TestSecretFileIsNeverReplaced(t *testing.T) {
	env := clitest.New(t, false)
	file := filepath.Join(t.TempDir(), "old.json")
	if err := os.WriteFile(file, []byte("an older secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	code := runCLI(t, env, "key", "create", "--name", "again", "--role", "developer", "--secret-file", file)
	if code != cmdutil.ExitUsage || !strings.Contains(env.ErrOut.String(), "already exists") {
		t.Fatalf("exit %d: %s; want a usage error", code, env.ErrOut)
	}
	if b, _ := os.ReadFile(file); string(b) != "an older secret" {
		t.Errorf("the file was changed: %q", b)
	}
	if runCLI(t, env, "key", "list"); strings.Contains(env.Out.String(), `"again"`) {
		t.Error("the key was created although the command refused")
	}
	// A file that appears between the check and the write is not replaced either.
	if err := cmdutil.WriteSecretFile(file, []byte("new")); err == nil {
		t.Error("WriteSecretFile replaced an existing file")
	}
	if b, _ := os.ReadFile(file); string(b) != "an older secret" {
		t.Errorf("the file was changed: %q", b)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(file), ".*.tmp")); len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

// TestHelpExamplesOfCreatesLeaveAUsableResult runs every example in the help of the creates whose
// answer carries a secret, as a script would: none may lose a secret (no warning), and what they
// print or save must include every one.
func TestHelpExamplesOfCreatesLeaveAUsableResult(t *testing.T) {
	env := clitest.New(t, false)
	root := cli.NewRootCommand(env.F)
	for _, path := range [][]string{{"key", "create"}, {"service", "create"}, {"postgres", "create"}} {
		cmd, _, err := root.Find(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range examples(cmd) {
			t.Run(line, func(t *testing.T) {
				dir := t.TempDir()
				args := strings.Fields(line)[1:] // without "chcloud"
				var secretFile string
				for i, a := range args {
					if a == "--secret-file" {
						secretFile = filepath.Join(dir, args[i+1])
						args[i+1] = secretFile
					}
				}
				if code := runCLI(t, env, args...); code != 0 {
					t.Fatalf("exit %d: %s", code, env.ErrOut)
				}
				if strings.Contains(env.ErrOut.String(), "left out") {
					t.Errorf("the example loses a secret: %s", env.ErrOut)
				}
				kept := env.Out.String()
				answer := env.Out.Bytes()
				if secretFile != "" {
					b, err := os.ReadFile(secretFile)
					if err != nil {
						t.Fatal(err)
					}
					kept += string(b)
					answer = b
				}
				for _, s := range secretsOf(t, firstJSON(answer)) {
					if !strings.Contains(kept, s) {
						t.Errorf("a secret is neither printed nor saved")
					}
				}
			})
		}
	}
}

func examples(cmd *cobra.Command) []string {
	var out []string
	for _, l := range strings.Split(cmd.Example, "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, "chcloud ") {
			out = append(out, l)
		}
	}
	return out
}

// firstJSON is the first JSON document of a stream (a create with --wait prints its answer, then
// what the wait saw).
func firstJSON(b []byte) []byte {
	var v json.RawMessage
	if err := json.NewDecoder(strings.NewReader(string(b))).Decode(&v); err != nil {
		return b
	}
	return v
}
