package auth

import (
	"os"
	"strings"
	"testing"

	"github.com/chcloud-dev/chcloud/internal/cli/clitest"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/internal/cli/config"
)

// loggedOut is an environment with a fake server but no credentials anywhere.
func loggedOut(t *testing.T, tty bool) (*clitest.Env, string, string) {
	env := clitest.New(t, tty)
	keyID, secret := env.F.Flags.APIKey, env.F.Flags.APISecret
	env.F.Flags.APIKey, env.F.Flags.APISecret = "", ""
	return env, keyID, secret
}

func TestLoginStatusLogout(t *testing.T) {
	env, keyID, secret := loggedOut(t, false)
	ctx := t.Context()
	env.In.WriteString(secret + "\n")
	if err := RunLogin(ctx, &LoginOptions{F: env.F, KeyID: keyID, SecretStdin: true}); err != nil {
		t.Fatal(err)
	}
	path := env.ConfigPath()
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("config file: %v, mode %v; want 0600", err, info.Mode().Perm())
	}
	saved, _ := config.Load(path)
	if p := saved.Profiles["default"]; p.APIKey != keyID || p.APISecret != secret || p.OrgID != env.Server.OrganizationID || p.APIURL != env.Server.URL {
		t.Errorf("saved profile = %+v", p)
	}
	if strings.Contains(env.Out.String()+env.ErrOut.String(), secret) {
		t.Error("login printed the secret")
	}

	// A fresh invocation: everything comes from the profile.
	env.F.Flags = config.Flags{}
	env.F.ResetClient()
	env.Out.Reset()
	if err := RunStatus(ctx, &StatusOptions{F: env.F}); err != nil {
		t.Fatal(err)
	}
	var st Status
	env.DecodeOut(t, &st)
	if st.KeyID != keyID || !strings.HasPrefix(st.KeyIDFrom, `profile "default"`) || !st.SecretSet || st.Verified == nil || !*st.Verified {
		t.Errorf("status = %+v", st)
	}
	if strings.Contains(env.Out.String(), secret) {
		t.Error("status printed the secret")
	}

	// The environment wins over the profile, and status says so.
	env.Vars[config.EnvKeyID] = keyID
	env.F.ResetClient()
	env.Out.Reset()
	env.F.IOStreams.SetStdoutTTY(true)
	if err := RunStatus(ctx, &StatusOptions{F: env.F}); err != nil {
		t.Fatal(err)
	}
	out := env.Out.String()
	if !strings.Contains(out, "(from env CLICKHOUSE_CLOUD_API_KEY)") || !strings.Contains(out, "set (hidden)") || strings.Contains(out, secret) {
		t.Errorf("terminal status:\n%s", out)
	}
	delete(env.Vars, config.EnvKeyID)

	if err := RunLogout(&LogoutOptions{F: env.F}); err != nil {
		t.Fatal(err)
	}
	env.F.ResetClient()
	err = RunStatus(ctx, &StatusOptions{F: env.F})
	if cmdutil.ExitCode(err) != cmdutil.ExitAuth {
		t.Errorf("status after logout: %v, want exit 4", err)
	}
}

func TestLoginRefusesABadKey(t *testing.T) {
	env, keyID, _ := loggedOut(t, false)
	env.In.WriteString("wrong-secret\n")
	err := RunLogin(t.Context(), &LoginOptions{F: env.F, KeyID: keyID, SecretStdin: true})
	if cmdutil.ExitCode(err) != cmdutil.ExitAuth {
		t.Fatalf("login with a wrong secret: %v (exit %d), want exit 4", err, cmdutil.ExitCode(err))
	}
	if _, err := os.Stat(env.ConfigPath()); !os.IsNotExist(err) {
		t.Error("a refused key was saved")
	}
}

func TestLoginPromptsOnTerminal(t *testing.T) {
	env, keyID, secret := loggedOut(t, true)
	env.In.WriteString(keyID + "\n" + secret + "\n")
	if err := RunLogin(t.Context(), &LoginOptions{F: env.F}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(env.ErrOut.String(), "API key ID: ") || !strings.Contains(env.ErrOut.String(), "API key secret: ") {
		t.Errorf("prompts: %q", env.ErrOut)
	}
	if strings.Contains(env.ErrOut.String()+env.Out.String(), secret) {
		t.Error("the secret was echoed")
	}
}

func TestLoginWithoutTerminalNeedsFlags(t *testing.T) {
	env, _, _ := loggedOut(t, false)
	if err := RunLogin(t.Context(), &LoginOptions{F: env.F}); cmdutil.ExitCode(err) != cmdutil.ExitUsage {
		t.Errorf("login with nothing off a terminal: %v, want a usage error", err)
	}
}

// `auth login --profile NAME` creates the profile; other commands still refuse an unknown one.
func TestLoginCreatesANamedProfile(t *testing.T) {
	env, keyID, secret := loggedOut(t, false)
	ctx := t.Context()
	env.F.Flags.Profile = "ci"
	env.In.WriteString(secret + "\n")
	if err := RunLogin(ctx, &LoginOptions{F: env.F, KeyID: keyID, SecretStdin: true}); err != nil {
		t.Fatalf("login into a new profile: %v", err)
	}
	saved, err := config.Load(env.ConfigPath())
	if err != nil || saved.Profiles["ci"].APIKey != keyID {
		t.Fatalf("profile ci = %+v (%v)", saved.Profiles["ci"], err)
	}

	fresh := clitest.NewOffline(t, false)
	fresh.Vars["XDG_CONFIG_HOME"] = env.Vars["XDG_CONFIG_HOME"]
	fresh.F.Flags.Profile = "cj"
	err = RunStatus(ctx, &StatusOptions{F: fresh.F, NoVerify: true})
	if cmdutil.ExitCode(err) != cmdutil.ExitUsage || !strings.Contains(err.Error(), `profile "cj" not found`) {
		t.Errorf("status with a mistyped profile: %v, want a usage error naming it", err)
	}
}

// A URL with user info is shown without it by `auth status`, whether the key is accepted or the
// URL is refused (http:// to another machine), and in table and JSON alike.
func TestStatusRedactsURLUserInfo(t *testing.T) {
	for name, url := range map[string]func(*clitest.Env) string{
		"accepted": func(e *clitest.Env) string {
			return strings.Replace(e.Server.URL, "http://", "http://someone:pa55word@", 1)
		},
		"refused": func(*clitest.Env) string { return "http://someone:pa55word@api.example.com" },
	} {
		for _, tty := range []bool{true, false} {
			env := clitest.New(t, tty)
			env.F.Flags.APIURL = url(env)
			err := RunStatus(t.Context(), &StatusOptions{F: env.F})
			if (name == "accepted") != (err == nil) {
				t.Errorf("%s, tty %v: %v", name, tty, err)
			}
			var printed strings.Builder
			cmdutil.PrintError(&printed, err)
			all := env.Out.String() + env.ErrOut.String() + printed.String()
			if strings.Contains(all, "pa55word") || strings.Contains(all, "someone") {
				t.Errorf("%s, tty %v: the user info shows:\n%s", name, tty, all)
			}
			if !strings.Contains(all, "REDACTED@") {
				t.Errorf("%s, tty %v: the URL is not shown at all:\n%s", name, tty, all)
			}
		}
	}
}
