package key

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/cloudtest"
	"github.com/chcloud-dev/chcloud/internal/cli/clitest"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/internal/cli/config"
)

// rotWorld is a fake server and a chcloud whose credentials come from the profile file, as
// after `chcloud auth login`: profile "default" holds the server's admin key (the key in use),
// profile "spare" another key, which no rotation of the admin key may touch.
type rotWorld struct {
	env   *clitest.Env
	srv   *cloudtest.Server
	path  string
	clock *cloudtest.ManualClock
}

func newRotWorld(t *testing.T, tty bool) *rotWorld {
	t.Helper()
	// The fake's clock starts at the real time, so that the SDK's lookup of a create whose answer
	// was lost (which allows for some clock skew) sees the key the fake made.
	clock := cloudtest.NewManualClock(time.Now())
	env := clitest.New(t, tty, cloudtest.WithClock(clock))
	srv := env.Server
	w := &rotWorld{env: env, srv: srv, clock: clock,
		path: filepath.Join(env.Vars["XDG_CONFIG_HOME"], "chcloud", "config.yaml")}
	file := &config.File{CurrentProfile: "default", Profiles: map[string]config.Profile{
		"default": {APIKey: srv.KeyID, APISecret: srv.KeySecret, APIURL: srv.URL, OrgID: srv.OrganizationID},
		"spare":   {APIKey: "SPAREKEYID1234", APISecret: "spare-secret", APIURL: srv.URL, OrgID: srv.OrganizationID, RequestTimeout: "45s"},
	}}
	if err := file.Save(w.path); err != nil {
		t.Fatal(err)
	}
	env.F.Flags.APIKey, env.F.Flags.APISecret, env.F.Flags.APIURL = "", "", ""
	// One attempt per call: an injected 503 must fail the step, not be retried away.
	env.F.ClientOptions = append(env.F.ClientOptions, cloud.WithRetryPolicy(cloud.RetryPolicy{MaxAttempts: 1}))
	env.F.ResetClient()
	return w
}

// key runs `chcloud key ARGS...` as a new process would: settings read afresh.
func (w *rotWorld) key(args ...string) error {
	w.env.F.ResetClient()
	return w.env.Execute(NewCommand(w.env.F), args...)
}

// keyJSON is key with JSON output whatever the terminal, for the test's own reads.
func (w *rotWorld) keyJSON(args ...string) error {
	format := w.env.F.Output.Format
	w.env.F.Output.Format = "json"
	defer func() { w.env.F.Output.Format = format }()
	return w.key(args...)
}

// profiles reads the config file.
func (w *rotWorld) profiles(t *testing.T) map[string]config.Profile {
	t.Helper()
	f, err := config.Load(w.path)
	if err != nil {
		t.Fatal(err)
	}
	return f.Profiles
}

// works asserts that chcloud, signed in with what the profile holds now, can still call the API.
func (w *rotWorld) works(t *testing.T) {
	t.Helper()
	if err := w.key("list"); err != nil {
		t.Fatalf("after the rotation, an authenticated command with the profile fails: %s", clitest.Printed(err))
	}
}

// state returns NAME/STATE of a key by its UUID, or "gone".
func (w *rotWorld) state(t *testing.T, id string) string {
	t.Helper()
	err := w.keyJSON("get", id)
	if cloud.IsNotFound(err) {
		return "gone"
	}
	if err != nil {
		t.Fatalf("key get %s: %s", id, clitest.Printed(err))
	}
	var k struct{ Name, State string }
	if err := json.Unmarshal(w.env.Out.Bytes(), &k); err != nil {
		t.Fatal(err)
	}
	return k.Name + "/" + k.State
}

// unchanged returns a check that the keys and the config file are as they are now, and that a
// working key remains: what every failure before the profile write must leave.
func (w *rotWorld) unchanged(t *testing.T) func() {
	t.Helper()
	n, before := w.keyCount(t), fileBytes(t, w.path)
	return func() {
		t.Helper()
		if w.keyCount(t) != n {
			t.Error("the failed rotation left a new key behind")
		}
		if fileBytes(t, w.path) != before {
			t.Error("the failed rotation changed the config file")
		}
		w.works(t)
	}
}

func (w *rotWorld) keyCount(t *testing.T) int {
	t.Helper()
	if err := w.keyJSON("list"); err != nil {
		t.Fatal(clitest.Printed(err))
	}
	var keys []any
	if err := json.Unmarshal(w.env.Out.Bytes(), &keys); err != nil {
		t.Fatal(err)
	}
	return len(keys)
}

// adminUUID is the UUID of the server's admin key, the one the profile uses.
func (w *rotWorld) adminUUID(t *testing.T) string {
	t.Helper()
	id, err := w.env.F.ResolveKey(t.Context(), w.srv.KeyID)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (w *rotWorld) rotate(t *testing.T, args ...string) rotateAnswer {
	t.Helper()
	if err := w.key(append([]string{"rotate"}, args...)...); err != nil {
		t.Fatalf("key rotate %v: %s", args, clitest.Printed(err))
	}
	var a rotateAnswer
	if err := json.Unmarshal(w.env.Out.Bytes(), &a); err != nil {
		t.Fatalf("key rotate printed %s (%v)", scrub(w.env.Out.String()), err)
	}
	return a
}

func fileBytes(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRotateTheKeyInUseUpdatesItsProfile(t *testing.T) {
	w := newRotWorld(t, false)
	old := w.adminUUID(t)
	rec := w.env.Bodies()
	a := w.rotate(t, "fake-admin-key")

	if a.KeyID == "" || a.KeySecret == "" || a.Key == nil || a.NewKeyState != "created" {
		t.Fatalf("answer lacks the new credential: %+v", safe(a))
	}
	if a.OldKey.ID != old || a.OldKey.State != "disabled" || a.Finish != "" || a.FinishBy != nil {
		t.Errorf("old key in the answer: %+v (finish %q)", a.OldKey, a.Finish)
	}
	wantName := "fake-admin-key (rotated " + time.Now().UTC().Format(time.DateOnly) + ")"
	if got := orZero(a.Key.Name); got != wantName && !strings.HasPrefix(got, "fake-admin-key (rotated ") {
		t.Errorf("new name %q, want %q", got, wantName)
	}
	if a.Profile == nil || a.Profile.Name != "default" || !a.Profile.Updated {
		t.Errorf("profile in the answer: %+v", a.Profile)
	}
	// The new key has the old one's roles (assigned role IDs) and IP access list.
	rec.Want(t, `POST {"name":"`+orZero(a.Key.Name)+`","assignedRoleIds":["`+orZero(a.Key.AssignedRoles[0].RoleID)+`"],"ipAccessList":[{"description":"Anywhere","source":"0.0.0.0/0"}]}`,
		`PATCH {"state":"disabled"}`)

	profiles := w.profiles(t)
	if p := profiles["default"]; p.APIKey != a.KeyID || p.APISecret != a.KeySecret || p.APIURL != w.srv.URL {
		t.Errorf("profile default after the rotation: key %q, url %q", p.APIKey, p.APIURL)
	}
	if p := profiles["spare"]; p.APIKey != "SPAREKEYID1234" || p.APISecret != "spare-secret" || p.RequestTimeout != "45s" {
		t.Errorf("another profile changed: %+v", p.APIKey)
	}
	if info, err := os.Stat(w.path); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("config file mode after the rotation: %v, %v", info.Mode().Perm(), err)
	}
	w.works(t)
	if got := w.state(t, old); got != "fake-admin-key/disabled" {
		t.Errorf("old key: %s", got)
	}
	if got := w.state(t, orZero(a.Key.ID)); got != orZero(a.Key.Name)+"/enabled" {
		t.Errorf("new key: %s", got)
	}
}

func TestRotateWithGraceSaysHowToFinish(t *testing.T) {
	w := newRotWorld(t, true)
	old := w.adminUUID(t)
	if err := w.key("rotate", "fake-admin-key", "--grace", "7d"); err != nil {
		t.Fatal(clitest.Printed(err))
	}
	finishBy := time.Now().UTC().Add(7 * 24 * time.Hour).Format(time.DateOnly)
	hasAll(t, "terminal output", w.env.Out.String(), "Key ID:", "Key secret:", "cannot be shown again", `Profile "default"`,
		"stays enabled", "by "+finishBy, "chcloud key disable "+old)
	if got := w.state(t, old); got != "fake-admin-key/enabled" {
		t.Errorf("old key during the grace period: %s", got)
	}
	w.works(t)
	// The printed command finishes the rotation, without a question: the profile uses the new key.
	if err := w.key("disable", old); err != nil {
		t.Fatalf("the finish command failed: %s", clitest.Printed(err))
	}
	if got := w.state(t, old); got != "fake-admin-key/disabled" {
		t.Errorf("old key after finishing: %s", got)
	}
}

func TestRotateWithDeleteAndAnotherKeyLeavesTheProfile(t *testing.T) {
	w := newRotWorld(t, false)
	if err := w.key("create", "--name", "ci", "--role", "developer", "--expires", "30d"); err != nil {
		t.Fatal(clitest.Printed(err))
	}
	var ci struct{ Key struct{ ID string } }
	if err := json.Unmarshal(w.env.Out.Bytes(), &ci); err != nil {
		t.Fatal(err)
	}
	before := fileBytes(t, w.path)
	a := w.rotate(t, ci.Key.ID, "--delete", "--name", "ci-2") // KEY as its UUID
	if a.OldKey.State != "deleted" || a.Profile != nil || orZero(a.Key.Name) != "ci-2" {
		t.Errorf("answer: old %+v, profile %+v, name %q", a.OldKey, a.Profile, orZero(a.Key.Name))
	}
	if got := w.state(t, ci.Key.ID); got != "gone" {
		t.Errorf("old key after --delete: %s", got)
	}
	// Same lifetime as the old key (30 days), from now.
	if exp, err := a.Key.ExpireAt.Get(); err != nil || time.Until(exp) < 29*24*time.Hour || time.Until(exp) > 31*24*time.Hour {
		t.Errorf("new key expires %v (%v), want in 30 days", exp, err)
	}
	if fileBytes(t, w.path) != before {
		t.Error("rotating a key no profile uses changed the config file")
	}
	w.works(t)
}

func TestRotateDeleteOfTheKeyInUse(t *testing.T) {
	// A key cannot delete itself: the last step is made with the new key.
	w := newRotWorld(t, false)
	old := w.adminUUID(t)
	a := w.rotate(t, w.srv.KeyID, "--delete", "--expires", "never")
	if a.OldKey.State != "deleted" || a.Key.ExpireAt.IsSpecified() && !a.Key.ExpireAt.IsNull() {
		t.Errorf("answer: %+v, expireAt %v", a.OldKey, a.Key.ExpireAt)
	}
	if got := w.state(t, old); got != "gone" {
		t.Errorf("old key: %s", got)
	}
	w.works(t)
}

func TestRotateIntoAnotherProfile(t *testing.T) {
	w := newRotWorld(t, false)
	if err := w.key("create", "--name", "ci", "--role", "developer"); err != nil {
		t.Fatal(clitest.Printed(err))
	}
	defaultBefore := w.profiles(t)["default"]
	a := w.rotate(t, "ci", "--update-profile", "spare")
	if a.Profile == nil || a.Profile.Name != "spare" || !a.Profile.Updated || a.OldKey.State != "disabled" {
		t.Errorf("answer: %+v %+v", a.Profile, a.OldKey)
	}
	profiles := w.profiles(t)
	if p := profiles["spare"]; p.APIKey != a.KeyID || p.APISecret != a.KeySecret || p.RequestTimeout != "45s" {
		t.Errorf("profile spare: key %q, timeout %q", p.APIKey, p.RequestTimeout)
	}
	if profiles["default"] != defaultBefore {
		t.Error("profile default changed")
	}
	w.env.F.Flags.Profile = "spare"
	w.works(t) // the developer key may list keys
	w.env.F.Flags.Profile = ""

	if err := w.key("rotate", "ci-nothing", "--update-profile", "nope"); cmdutil.ExitCode(err) != cmdutil.ExitUsage ||
		!strings.Contains(err.Error(), `--update-profile "nope": no such profile`) {
		t.Errorf("unknown --update-profile: %v", err)
	}
}

func TestRotateDryRunChangesNothing(t *testing.T) {
	w := newRotWorld(t, false)
	check := w.unchanged(t)
	rec := w.env.Bodies()
	w.env.F.DryRun = true
	if err := w.key("rotate", "fake-admin-key", "--grace", "24h"); err != nil {
		t.Fatal(clitest.Printed(err))
	}
	var plan struct {
		DryRun  bool
		Plan    cloud.KeyRotationPlan
		Profile *rotateProfile
	}
	if err := json.Unmarshal(w.env.Out.Bytes(), &plan); err != nil {
		t.Fatalf("dry run printed %s", scrub(w.env.Out.String()))
	}
	if !plan.DryRun || plan.Plan.OldKeyAction != cloud.KeyRotationKeepOld || plan.Plan.FinishWith != cloud.KeyRotationDisableOld ||
		!plan.Plan.OldKeyInUse || plan.Profile == nil || plan.Profile.Name != "default" || plan.Profile.Updated {
		t.Errorf("plan: %+v profile %+v", plan.Plan, plan.Profile)
	}
	w.env.F.IOStreams.SetTTY(true)
	if err := w.key("rotate", "fake-admin-key"); err != nil {
		t.Fatal(clitest.Printed(err))
	}
	hasAll(t, "terminal plan", w.env.Out.String(), "Dry run, nothing changed", `create "fake-admin-key (rotated `, `into profile "default"`, "disable the old key")
	w.env.F.DryRun = false
	w.env.F.IOStreams.SetTTY(false)
	rec.Want(t) // nothing sent that changes anything
	check()
}

// rotationFails runs a rotation of the key in use that must fail, and returns the report as
// printed, the answer printed on stdout (if any) and the failure.
func (w *rotWorld) rotationFails(t *testing.T, args ...string) (string, rotateAnswer, *rotateFailure) {
	t.Helper()
	err := w.key(append([]string{"rotate", "fake-admin-key"}, args...)...)
	var fail *rotateFailure
	if !errors.As(err, &fail) || cmdutil.ExitCode(err) != cmdutil.ExitError {
		t.Fatalf("rotation: %v (exit %d), want a failed rotation (exit 1)", err, cmdutil.ExitCode(err))
	}
	var a rotateAnswer
	if w.env.Out.Len() > 0 {
		if err := json.Unmarshal(w.env.Out.Bytes(), &a); err != nil {
			t.Fatalf("stdout after the failure: %s", scrub(w.env.Out.String()))
		}
	}
	report := clitest.Printed(err)
	if a.KeySecret != "" && strings.Contains(report, a.KeySecret) {
		t.Error("the report shows the secret")
	}
	return report, a, fail
}

func hasAll(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("%s lacks %q:\n%s", what, want, scrub(text))
		}
	}
}

// secretText finds a secret in what chcloud printed, so that a failing test does not print it.
var secretText = regexp.MustCompile(`("keySecret":\s*"|Key secret:\s+)[^"\s]+`)

func scrub(s string) string { return secretText.ReplaceAllString(s, "${1}<secret>") }

// safe is an answer fit for a test's message: without its secret.
func safe(a rotateAnswer) rotateAnswer {
	if a.KeySecret != "" {
		a.KeySecret = "<secret>"
	}
	return a
}

func TestRotateFailsAtCreate(t *testing.T) {
	for name, fault := range map[string]cloudtest.Fault{
		"refused": {Status: 500, Times: 1},
		// The key is made but its answer is lost: the rotation finds it and deletes it.
		"answer lost": {Drop: true, Times: 1},
	} {
		t.Run(name, func(t *testing.T) {
			w := newRotWorld(t, false)
			check := w.unchanged(t)
			w.srv.SetFault("openapiKeyCreate", fault)
			report, a, fail := w.rotationFails(t)
			newKey := "no new key was created"
			if fault.Drop {
				newKey = "was deleted again"
			}
			hasAll(t, "report", report, "failed at the create step", "is still enabled and works as before", newKey,
				"profile \"default\"", "was not changed", "hint: fix the cause and run 'chcloud key rotate fake-admin-key' again")
			if fail.Step != cloud.KeyRotationCreate || a.KeySecret != "" || a.OldKey.State != "enabled" || a.FailedStep != "create" {
				t.Errorf("step %s, answer %+v", fail.Step, safe(a))
			}
			check()
		})
	}
}

func TestRotateFailsAtVerify(t *testing.T) {
	w := newRotWorld(t, false)
	check := w.unchanged(t)
	// The profile names the organization, so the only organization list is the new key's proof.
	w.srv.SetFault("organizationGetList", cloudtest.Fault{Status: 401, Times: 1})
	report, a, _ := w.rotationFails(t)
	hasAll(t, "report", report, "failed at the verify step", "the new key could not sign in", "still enabled",
		"was deleted again", "was not changed")
	if a.NewKeyState != "deleted" || a.KeySecret != "" {
		t.Errorf("answer %+v", safe(a))
	}
	check()
}

func TestRotateFailsAtVerifyAndCleanupReportsTheNewKey(t *testing.T) {
	w := newRotWorld(t, false)
	before := fileBytes(t, w.path)
	w.srv.SetFault("organizationGetList", cloudtest.Fault{Status: 401, Times: 1})
	w.srv.SetFault("openapiKeyDelete", cloudtest.Fault{Status: 503, Times: 1})
	report, a, _ := w.rotationFails(t)
	hasAll(t, "report", report, "failed at the verify step", "still enabled", "exists and works (deleting it failed",
		"printed above, once", "hint: either use the new key")
	if a.NewKeyState != "kept" || a.KeyID == "" || a.KeySecret == "" || a.Key == nil {
		t.Fatalf("the kept key's credential is not on stdout: %+v", safe(a))
	}
	if fileBytes(t, w.path) != before {
		t.Error("the profile changed")
	}
	w.works(t)
	// The reported credential works.
	w.env.F.Flags.APIKey, w.env.F.Flags.APISecret = a.KeyID, a.KeySecret
	w.works(t)
}

func TestRotateFailsAtProfileWrite(t *testing.T) {
	w := newRotWorld(t, false)
	check := w.unchanged(t)
	saveProfile = func(string, string, string, string) error { return errors.New("injected: no space left on device") }
	t.Cleanup(func() { saveProfile = config.SetCredentials })
	report, a, fail := w.rotationFails(t)
	hasAll(t, "report", report, "failed at the save step", `writing the new key into profile "default"`, "no space left",
		"still enabled", "was deleted again", `profile "default"`, "was not changed")
	if fail.Step != cloud.KeyRotationSave || a.NewKeyState != "deleted" {
		t.Errorf("step %s, answer %+v", fail.Step, safe(a))
	}
	check()
}

func TestRotateFailsAtDisable(t *testing.T) {
	for _, args := range [][]string{nil, {"--secret-file"}, {"--delete"}} {
		t.Run(strings.Join(append([]string{"rotate"}, args...), " "), func(t *testing.T) {
			w := newRotWorld(t, false)
			old := w.adminUUID(t)
			step, op, finish := "disable", "openapiKeyUpdate", "chcloud key disable "+old
			if len(args) > 0 && args[0] == "--delete" {
				step, op, finish = "delete", "openapiKeyDelete", "chcloud key delete "+old+" --yes"
			}
			secretFile := ""
			if len(args) > 0 && args[0] == "--secret-file" {
				secretFile = filepath.Join(t.TempDir(), "new-key.json")
				args = []string{"--secret-file", secretFile}
			}
			w.srv.SetFault(op, cloudtest.Fault{Status: 503, Times: 1})
			report, a, fail := w.rotationFails(t, args...)
			if secretFile != "" {
				if w.env.Out.Len() != 0 {
					t.Errorf("with --secret-file, stdout has %s", scrub(w.env.Out.String()))
				}
				if err := json.Unmarshal([]byte(fileBytes(t, secretFile)), &a); err != nil {
					t.Fatal(err)
				}
				if info, _ := os.Stat(secretFile); info.Mode().Perm() != 0o600 {
					t.Errorf("--secret-file mode %v", info.Mode().Perm())
				}
			}
			hasAll(t, "report", report, "failed at the "+step+" step", "still enabled", "exists and works",
				`profile "default"`, "now uses the new key", "hint: once the cause is fixed, finish with '"+finish+"'")
			if fail.Step != cloud.KeyRotationStep(step) || a.NewKeyState != "kept" || a.Finish != finish || a.KeySecret == "" {
				t.Fatalf("step %s, answer %+v", fail.Step, safe(a))
			}
			// The profile holds exactly the reported credential, and it works.
			if p := w.profiles(t)["default"]; p.APIKey != a.KeyID || p.APISecret != a.KeySecret {
				t.Error("the profile does not hold the reported new key")
			}
			w.works(t)
			if got := w.state(t, old); got != "fake-admin-key/enabled" {
				t.Errorf("old key: %s", got)
			}
			if err := w.key(strings.Fields(strings.TrimPrefix(finish, "chcloud key "))...); err != nil {
				t.Fatalf("the finish command failed: %s", clitest.Printed(err))
			}
			w.works(t)
		})
	}
}

func TestRotateBadInput(t *testing.T) {
	w := newRotWorld(t, false)
	for name, args := range map[string][]string{
		"no key":          {"rotate"},
		"bad grace":       {"rotate", "fake-admin-key", "--grace", "soon"},
		"zero grace":      {"rotate", "fake-admin-key", "--grace", "0d"},
		"bad expiry":      {"rotate", "fake-admin-key", "--expires", "tomorrow"},
		"past expiry":     {"rotate", "fake-admin-key", "--expires", "2001-01-01"},
		"empty name":      {"rotate", "fake-admin-key", "--name", " "},
		"existing secret": {"rotate", "fake-admin-key", "--secret-file", w.path},
	} {
		if err := w.key(args...); cmdutil.ExitCode(err) != cmdutil.ExitUsage {
			t.Errorf("%s: %v (exit %d), want a usage error", name, err, cmdutil.ExitCode(err))
		}
	}
	if err := w.key("rotate", "nope"); err == nil || cmdutil.ExitCode(err) != cmdutil.ExitError {
		t.Errorf("unknown key: %v", err)
	}
}

// A disable whose answer is lost after it took effect is a finished rotation, not a failure.
func TestRotateDisableAnswerLostButDone(t *testing.T) {
	w := newRotWorld(t, false)
	old := w.adminUUID(t)
	w.srv.SetFault("openapiKeyUpdate", cloudtest.Fault{Drop: true, Times: 1})
	a := w.rotate(t, "fake-admin-key")
	if a.OldKey.State != "disabled" || a.Profile == nil || !a.Profile.Updated {
		t.Errorf("answer: %+v %+v", a.OldKey, a.Profile)
	}
	if got := w.state(t, old); got != "fake-admin-key/disabled" {
		t.Errorf("old key: %s", got)
	}
	w.works(t)
}

// A key in use that came from a flag or the environment has no file to follow it: the answer is
// the only copy, and stderr says where the old one still is.
func TestRotateTheKeyInUseFromTheEnvironment(t *testing.T) {
	env := clitest.New(t, false)
	env.F.Flags.APIKey, env.F.Flags.APISecret = "", ""
	env.Vars[cloud.EnvKeyID], env.Vars[cloud.EnvKeySecret] = env.Server.KeyID, env.Server.KeySecret
	env.F.ResetClient()
	if err := env.Execute(NewCommand(env.F), "rotate", env.Server.KeyID); err != nil {
		t.Fatal(clitest.Printed(err))
	}
	var a rotateAnswer
	if err := json.Unmarshal(env.Out.Bytes(), &a); err != nil {
		t.Fatalf("key rotate printed %s (%v)", scrub(env.Out.String()), err)
	}
	if a.Profile != nil || a.KeySecret == "" || a.OldKey.State != "disabled" {
		t.Errorf("answer: profile %+v, old %+v", a.Profile, a.OldKey)
	}
	hasAll(t, "stderr", env.ErrOut.String(), "signed in with the old key from env "+cloud.EnvKeyID, "put the new key ID and secret there")
	if strings.Contains(env.ErrOut.String(), a.KeySecret) {
		t.Error("stderr shows the secret")
	}
	env.Vars[cloud.EnvKeyID], env.Vars[cloud.EnvKeySecret] = a.KeyID, a.KeySecret
	env.F.ResetClient()
	if err := env.Execute(NewCommand(env.F), "list"); err != nil {
		t.Fatalf("the reported key does not work: %s", clitest.Printed(err))
	}
}

// --jq that drops the secret of a key no profile keeps says so, as key create does.
func TestRotateWarnsWhenJQDropsTheSecret(t *testing.T) {
	w := newRotWorld(t, false)
	if err := w.key("create", "--name", "ci", "--role", "developer"); err != nil {
		t.Fatal(clitest.Printed(err))
	}
	w.env.F.Output.JQ = ".key.name"
	if err := w.key("rotate", "ci"); err != nil {
		t.Fatal(clitest.Printed(err))
	}
	if got := strings.TrimSpace(w.env.Out.String()); !strings.HasPrefix(got, "ci (rotated ") {
		t.Errorf("--jq printed %s", scrub(got))
	}
	hasAll(t, "stderr", w.env.ErrOut.String(), "--jq .key.name left out the key ID and key secret", "--secret-file PATH")
}
