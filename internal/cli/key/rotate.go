package key

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/gen/cloudapi"
	"github.com/chcloud-dev/chcloud/internal/cli/cmdutil"
	"github.com/chcloud-dev/chcloud/internal/cli/config"
	"github.com/chcloud-dev/chcloud/internal/cli/output"
)

// saveProfile writes a new credential into a profile of the config file. It is a variable so
// that the tests can make the write fail where the file system will not (tests run as root).
var saveProfile = config.SetCredentials

// RotateOptions are the inputs of `key rotate`.
type RotateOptions struct {
	F   *cmdutil.Factory
	Key string // UUID, name or credential key ID
	// Name and Expires are nil when not given: the SDK derives them from the old key.
	Name    *string
	Expires *string
	Grace   time.Duration
	Delete  bool
	// UpdateProfile names the profile that gets the new credential, instead of the one in use.
	UpdateProfile string
	SecretFile    string
	Now           func() time.Time
}

func newRotateCmd(f *cmdutil.Factory) *cobra.Command {
	opts := &RotateOptions{F: f, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "rotate KEY [--grace 7d] [--delete] [--update-profile NAME] [flags]",
		Short: "Replace an API key by a new one with the same roles, without downtime",
		Long: `Replace an API key by a new one, in this order:

  1. create the new key with the old key's roles (assigned role IDs) and IP access list, named
     after the old one ("ci" becomes "ci (rotated 2026-12-05)", or --name) and with a lifetime as
     long as the old key's, counted from now (or --expires: 90d, an RFC 3339 time, or never);
  2. prove the new key works with one authenticated call made with it;
  3. when the old key is the one this profile uses, write the new key ID and secret into the
     profile (atomically; the file stays readable only by you); --update-profile NAME writes
     them into profile NAME instead;
  4. disable the old key (--delete: delete it), or with --grace DURATION leave it enabled and
     print when and how to finish ('chcloud key disable OLD').

If a step fails, the old key stays enabled and the new key is deleted again, or, when it cannot
be or when the profile already uses it, reported with its key ID and secret (once). The report
says which step failed, what became of both keys and what to run next; the exit code is 1.

The new key ID and secret are printed once, like 'chcloud key create' prints them: with a
warning on a terminal, as JSON ({"keyId", "keySecret", "key", "oldKey", ...}) for scripts, and
with --secret-file PATH in a new file readable only by you. --dry-run prints the plan and
changes nothing.`,
		Example: "  chcloud key rotate ci\n" +
			"  chcloud key rotate deploy --grace 24h --secret-file deploy-key.json\n" +
			"  chcloud key rotate ci --expires 90d --update-profile ci --dry-run",
		Args: cmdutil.ExactArgs("KEY"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Key = args[0]
			return RunRotate(cmd.Context(), opts)
		},
	}
	fs := cmd.Flags()
	cmdutil.Optional(fs, &opts.Name, "name", "", "the new key's name (default: the old name with \"(rotated DATE)\")")
	cmdutil.Optional(fs, &opts.Expires, "expires", "", "the new key's expiry: a duration (90d), a date, an RFC 3339 time, or never (default: the old key's lifetime from now)")
	fs.Var(newDaysFlag(&opts.Grace, ""), "grace", "leave the old key enabled this long (7d, 24h) and say how to finish")
	fs.BoolVar(&opts.Delete, "delete", false, "delete the old key instead of disabling it")
	fs.StringVar(&opts.UpdateProfile, "update-profile", "", "write the new key into this profile (default: the current profile, when it uses the old key)")
	cmdutil.AddSecretFileFlag(cmd, &opts.SecretFile)
	return cmd
}

// rotateAnswer is what `key rotate` prints for scripts (and writes to --secret-file): the
// fields of `key create`'s answer (keyId, keySecret, key: the new key), then what became of the
// old key and the profile. After a failed step it says which (failedStep) and carries the new
// key's credential only when the new key was kept.
type rotateAnswer struct {
	KeyID     string           `json:"keyId,omitempty"`
	KeySecret string           `json:"keySecret,omitempty"`
	Key       *cloudapi.APIKey `json:"key,omitempty"`
	// NewKeyState is "created" after a rotation; after a failure "not created", "deleted",
	// "kept" (credential above) or "unknown" (see the error).
	NewKeyState string         `json:"newKeyState"`
	OldKey      rotateOldKey   `json:"oldKey"`
	Profile     *rotateProfile `json:"profile,omitempty"`
	// FinishBy and Finish (with --grace, or after a failed last step): when and with what
	// command the old key is to be finished.
	FinishBy   *time.Time `json:"finishBy,omitempty"`
	Finish     string     `json:"finish,omitempty"`
	FailedStep string     `json:"failedStep,omitempty"`
}

type rotateOldKey struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	State string `json:"state"` // enabled, disabled, deleted
}

type rotateProfile struct {
	Name    string `json:"name"`
	Path    string `json:"path"`
	Updated bool   `json:"updated"`
}

// RunRotate rotates the key (or with --dry-run prints the plan).
func RunRotate(ctx context.Context, opts *RotateOptions) error {
	f := opts.F
	now := opts.Now().UTC()
	rot := cloud.KeyRotation{Grace: opts.Grace, Delete: opts.Delete, Now: now}
	if opts.Name != nil {
		if strings.TrimSpace(*opts.Name) == "" {
			return cmdutil.UsageErrorf("--name is empty: give the new key a name, or leave --name out to derive it")
		}
		rot.Name = *opts.Name
	}
	if opts.Expires != nil {
		exp, err := ParseExpiry(*opts.Expires, now)
		if err != nil {
			return err
		}
		if exp.IsZero() {
			rot.NoExpiry = true
		} else if !exp.After(now) {
			return cmdutil.UsageErrorf("--expires %s is not in the future", *opts.Expires)
		} else {
			rot.ExpireAt = &exp
		}
	}
	if err := cmdutil.CheckSecretFile(opts.SecretFile); err != nil {
		return err
	}
	r, err := f.Config()
	if err != nil {
		return err
	}
	if opts.UpdateProfile != "" {
		if _, ok := r.File.Profiles[opts.UpdateProfile]; !ok {
			return cmdutil.UsageErrorf("--update-profile %q: no such profile in %s (profiles: %s); create it with 'chcloud auth login --profile %s' first",
				opts.UpdateProfile, r.Path, strings.Join(r.File.ProfileNames(), ", "), opts.UpdateProfile)
		}
	}
	keyID, err := f.ResolveKey(ctx, opts.Key)
	if err != nil {
		return err
	}
	c, org, err := f.ClientAndOrg(ctx)
	if err != nil {
		return err
	}
	rot.OrganizationID, rot.KeyID = org, keyID
	plan, err := c.PlanKeyRotation(ctx, rot)
	if err != nil {
		return err
	}
	rp := rotationProfile(r, opts.UpdateProfile, plan.OldKeyInUse)
	if f.DryRun {
		return printPlan(f, plan, rp)
	}
	if rp != nil {
		rot.SaveCredential = func(_ context.Context, id, secret string) error {
			if err := saveProfile(rp.Path, rp.Name, id, secret); err != nil {
				return fmt.Errorf("writing the new key into profile %q: %w", rp.Name, err)
			}
			rp.Updated = true
			return nil
		}
	}
	res, err := c.RotateKey(ctx, rot)
	var fail *cloud.KeyRotationError
	if errors.As(err, &fail) {
		return reportRotationFailure(f, opts, plan, rp, fail)
	}
	if err != nil {
		return err
	}
	return printRotated(f, opts, r, res, rp)
}

// rotationProfile is the profile that gets the new credential: --update-profile, else the
// current profile when the old key is the one it holds; nil when no profile is to change.
func rotationProfile(r *config.Resolved, name string, oldKeyInUse bool) *rotateProfile {
	if name != "" {
		return &rotateProfile{Name: name, Path: r.Path}
	}
	if !oldKeyInUse {
		return nil
	}
	if p, ok := r.File.Profiles[r.Profile]; ok && p.APIKey != "" && p.APIKey == r.KeyID.Value {
		return &rotateProfile{Name: r.Profile, Path: r.Path}
	}
	// The key in use came from a flag or the environment: there is no file of ours to update.
	return nil
}

func oldKeyOf(plan *cloud.KeyRotationPlan, state string) rotateOldKey {
	return rotateOldKey{ID: orZero(plan.OldKey.ID), Name: orZero(plan.OldKey.Name), State: state}
}

// finishCommand is the command that ends a rotation the old key survived.
func finishCommand(action cloud.KeyRotationAction, oldID string) string {
	if action == cloud.KeyRotationDeleteOld {
		return "chcloud key delete " + oldID + " --yes"
	}
	return "chcloud key disable " + oldID
}

func printPlan(f *cmdutil.Factory, plan *cloud.KeyRotationPlan, rp *rotateProfile) error {
	if !f.IsTable() || f.Output.JQ != "" {
		return f.Print(struct {
			DryRun  bool                   `json:"dryRun"`
			Plan    *cloud.KeyRotationPlan `json:"plan"`
			Profile *rotateProfile         `json:"profile,omitempty"`
		}{true, plan, rp}, output.Table{})
	}
	out := f.IOStreams.Out
	old := oldKeyOf(plan, "")
	fmt.Fprintf(out, "Dry run, nothing changed. Rotating API key %q (%s) would:\n", old.Name, old.ID)
	roles := strings.Join(plan.AssignedRoleIDs, ", ")
	if roles != "" {
		roles = "assigned role IDs " + roles
	} else {
		roles = "roles " + strings.Join(plan.Roles, ", ")
	}
	ips := make([]string, len(plan.IPAccessList))
	for i, e := range plan.IPAccessList {
		ips[i] = orZero(e.Source)
	}
	expiry := "never expires"
	if plan.ExpireAt != nil {
		expiry = "expires " + plan.ExpireAt.UTC().Format(time.RFC3339)
	}
	fmt.Fprintf(out, "  1. create %q: %s; IP access list %s; %s\n", plan.Name, roles, orNone(strings.Join(ips, ", ")), expiry)
	fmt.Fprintln(out, "  2. make one call with the new key to prove it works")
	if rp != nil {
		fmt.Fprintf(out, "  3. write the new key ID and secret into profile %q (%s)\n", rp.Name, rp.Path)
	} else {
		fmt.Fprintln(out, "  3. change no profile (the old key is not the one this profile uses)")
	}
	switch plan.OldKeyAction {
	case cloud.KeyRotationKeepOld:
		fmt.Fprintf(out, "  4. leave the old key enabled until %s, to finish then with: %s\n",
			plan.KeepUntil.UTC().Format(time.RFC3339), finishCommand(plan.FinishWith, old.ID))
	case cloud.KeyRotationDeleteOld:
		fmt.Fprintln(out, "  4. delete the old key")
	default:
		fmt.Fprintln(out, "  4. disable the old key")
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func printRotated(f *cmdutil.Factory, opts *RotateOptions, r *config.Resolved, res *cloud.KeyRotationResult, rp *rotateProfile) error {
	plan := &res.Plan
	answer := rotateAnswer{KeyID: res.NewKeyID, KeySecret: res.NewKeySecret, Key: &res.NewKey, NewKeyState: "created",
		OldKey: oldKeyOf(plan, res.OldKeyState), Profile: rp, FinishBy: res.FinishBy}
	if res.FinishBy != nil {
		answer.Finish = finishCommand(plan.FinishWith, answer.OldKey.ID)
	}
	raw, err := json.Marshal(answer)
	if err != nil {
		return fmt.Errorf("encoding the answer: %w", err)
	}
	if err := f.SaveSecrets(opts.SecretFile, raw); err != nil {
		return err
	}
	// The note on a stale credential goes to stderr whatever the format: a script's log should
	// say that its own environment still holds the old key.
	if plan.OldKeyInUse && (rp == nil || rp.Name != r.Profile) {
		// The flag, the variable, or (with --update-profile OTHER) this profile still holds the
		// old key.
		f.Infof("! chcloud signed in with the old key from %s, which still holds it: put the new key ID and secret there (the old key is %s).",
			r.KeyID.Source, res.OldKeyState)
	}
	if !f.IsTable() || f.Output.JQ != "" {
		var secrets []cmdutil.OneTimeSecret
		if rp == nil {
			// A profile that holds the new secret keeps it; otherwise this answer is its only copy.
			secrets = []cmdutil.OneTimeSecret{{Label: "key ID", Value: res.NewKeyID}, {Label: "key secret", Value: res.NewKeySecret}}
		}
		return f.PrintCreated(raw, output.Table{}, opts.SecretFile,
			fmt.Sprintf("The key works only with both: delete it with 'chcloud key delete %s --yes' and rotate again.", orZero(res.NewKey.ID)),
			secrets...)
	}
	out := f.IOStreams.Out
	old := answer.OldKey
	fmt.Fprintf(out, "Rotated API key %q (%s): the new key is %q (%s).\n\n", old.Name, old.ID, orZero(res.NewKey.Name), orZero(res.NewKey.ID))
	printCredential(f, res.NewKeyID, res.NewKeySecret)
	if rp != nil {
		fmt.Fprintf(out, "Profile %q (%s) now uses the new key.\n", rp.Name, rp.Path)
	}
	if res.FinishBy != nil {
		fmt.Fprintf(out, "The old key stays enabled for the grace period. Once everything uses the new key, and by %s, finish with:\n  %s\n",
			res.FinishBy.UTC().Format(time.RFC3339), answer.Finish)
	} else {
		fmt.Fprintf(out, "The old key is %s.\n", old.State)
	}
	return nil
}

// printCredential shows a one-time credential on a terminal, with the warning `key create` gives.
func printCredential(f *cmdutil.Factory, id, secret string) {
	out := f.IOStreams.Out
	fmt.Fprintf(out, "  Key ID:     %s\n", id)
	fmt.Fprintf(out, "  Key secret: %s\n\n", secret)
	fmt.Fprintln(out, "! Store the key ID and secret now: the secret cannot be shown again.")
	fmt.Fprintf(out, "  Use them as %s and %s.\n\n", cloud.EnvKeyID, cloud.EnvKeySecret)
}

// rotateFailure is the error of a failed rotation: the whole report, each fact on its line. It
// does not unwrap to the step's error, on purpose: an *cloud.APIError in the chain would make
// the CLI print only that and drop the report.
type rotateFailure struct {
	Step   cloud.KeyRotationStep
	Answer rotateAnswer
	report string
}

func (e *rotateFailure) Error() string { return e.report }

// reportRotationFailure delivers the new key's credential when it was kept (once: --secret-file,
// else stdout) and returns the report: the failed step and why, the old key (still enabled),
// the new key (not created, deleted, or kept), the profile, and the next command as a hint.
func reportRotationFailure(f *cmdutil.Factory, opts *RotateOptions, plan *cloud.KeyRotationPlan, rp *rotateProfile, fail *cloud.KeyRotationError) error {
	oldState := "enabled"
	if !fail.OldKeyEnabled {
		// The SDK read it again after the last step failed and found it disabled or gone.
		oldState = "not enabled"
	}
	answer := rotateAnswer{OldKey: oldKeyOf(plan, oldState), Profile: rp, FailedStep: string(fail.Step)}
	old := answer.OldKey
	newName := plan.Name
	var lines, next []string
	lines = append(lines, fmt.Sprintf("rotating API key %q (%s) failed at the %s step: %v", old.Name, old.ID, fail.Step, fail.Err))
	if fail.OldKeyEnabled {
		lines = append(lines, fmt.Sprintf("the old key %q (%s) is still enabled and works as before", old.Name, old.ID))
	} else {
		lines = append(lines, fmt.Sprintf("the old key %q (%s) is no longer enabled: the step took effect in part; check it with 'chcloud key get %s'", old.Name, old.ID, old.ID))
	}
	retry := fmt.Sprintf("fix the cause and run 'chcloud key rotate %s' again", opts.Key)
	newID := ""
	if fail.NewKey != nil {
		newID = orZero(fail.NewKey.ID)
	}
	switch {
	case !fail.NewKeyCreated:
		answer.NewKeyState = "not created"
		lines = append(lines, "no new key was created")
		next = append(next, retry)
	case fail.NewKeyDeleted:
		answer.NewKeyState = "deleted"
		lines = append(lines, fmt.Sprintf("the new key %q was deleted again", newName))
		next = append(next, retry)
	case newID != "" && fail.NewKeySecret != "":
		answer.NewKeyState = "kept"
		answer.KeyID, answer.KeySecret, answer.Key = fail.NewKeyID, fail.NewKeySecret, fail.NewKey
		where := "printed above, once"
		if opts.SecretFile != "" {
			where = "in " + opts.SecretFile + ", once"
		}
		why := ""
		if fail.CleanupErr != nil {
			why = fmt.Sprintf(" (deleting it failed: %v)", fail.CleanupErr)
		}
		lines = append(lines, fmt.Sprintf("the new key %q (%s) exists and works%s: its key ID and secret are %s", newName, newID, why, where))
	case newID != "":
		answer.NewKeyState = "kept"
		answer.Key = fail.NewKey
		lines = append(lines, fmt.Sprintf("the new key %q (%s) exists but its secret was lost", newName, newID))
		next = append(next, fmt.Sprintf("delete it with 'chcloud key delete %s --yes', then %s", newID, retry))
	default:
		answer.NewKeyState = "unknown"
		why := ""
		if fail.CleanupErr != nil {
			why = fmt.Sprintf(" (looking for it failed: %v)", fail.CleanupErr)
		}
		lines = append(lines, fmt.Sprintf("a new key %q may have been created%s; its secret was lost", newName, why))
		next = append(next, fmt.Sprintf("look for %q in 'chcloud key list' and delete it, then %s", newName, retry))
	}
	switch {
	case rp == nil:
	case rp.Updated:
		lines = append(lines, fmt.Sprintf("profile %q (%s) now uses the new key", rp.Name, rp.Path))
	default:
		lines = append(lines, fmt.Sprintf("profile %q (%s) was not changed: it still uses its old key", rp.Name, rp.Path))
	}
	lastStep := fail.Step == cloud.KeyRotationDisable || fail.Step == cloud.KeyRotationDelete
	if answer.NewKeyState == "kept" && answer.KeySecret != "" {
		answer.Finish = finishCommand(plan.OldKeyAction, old.ID)
		switch {
		case lastStep && !fail.OldKeyEnabled:
			answer.Finish = ""
		case lastStep:
			next = append(next, fmt.Sprintf("once the cause is fixed, finish with '%s'", answer.Finish))
		default:
			next = append(next, fmt.Sprintf("either use the new key and finish with '%s', or delete it with 'chcloud key delete %s --yes' and %s",
				answer.Finish, newID, retry))
		}
	}
	if answer.KeySecret != "" {
		if err := deliverKeptCredential(f, opts, answer); err != nil {
			lines = append(lines, err.Error())
		}
	} else if !f.IsTable() || f.Output.JQ != "" {
		// Scripts get the same facts as JSON; nothing secret is in it.
		if err := f.Print(answer, output.Table{}); err != nil {
			lines = append(lines, "printing the report failed: "+err.Error())
		}
	}
	return &cmdutil.Error{Code: cmdutil.ExitError, Hints: next,
		Err: &rotateFailure{Step: fail.Step, Answer: answer, report: strings.Join(lines, "\n  ")}}
}

// deliverKeptCredential gives the credential of a new key that was kept, once: into
// --secret-file when given, else on stdout (JSON for scripts, the terminal's text otherwise).
func deliverKeptCredential(f *cmdutil.Factory, opts *RotateOptions, answer rotateAnswer) error {
	raw, err := json.Marshal(answer)
	if err != nil {
		return fmt.Errorf("encoding the answer: %w", err)
	}
	if opts.SecretFile != "" {
		return f.SaveSecrets(opts.SecretFile, raw)
	}
	if !f.IsTable() || f.Output.JQ != "" {
		return f.PrintCreated(raw, output.Table{}, "", "",
			cmdutil.OneTimeSecret{Label: "key ID", Value: answer.KeyID}, cmdutil.OneTimeSecret{Label: "key secret", Value: answer.KeySecret})
	}
	fmt.Fprintf(f.IOStreams.Out, "The rotation failed, but the new key %q (%s) was kept:\n\n", orZero(answer.Key.Name), orZero(answer.Key.ID))
	printCredential(f, answer.KeyID, answer.KeySecret)
	return nil
}

func orZero[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
