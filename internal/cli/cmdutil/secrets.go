package cmdutil

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/internal/cli/output"
)

// OneTimeSecret is a value a create's answer carries once and the API never shows again.
type OneTimeSecret struct {
	Label string // what it is, for messages: "key secret", "password"
	Value string // never printed in a message
}

// SecretFileHelp is the help of --secret-file.
const SecretFileHelp = "write the whole answer, with its one-time secrets, to this new file (mode 0600; never replaces an existing file)"

// AddSecretFileFlag adds --secret-file to a create command whose answer carries a secret.
func AddSecretFileFlag(cmd *cobra.Command, path *string) {
	cmd.Flags().StringVar(path, "secret-file", "", SecretFileHelp)
}

// CheckSecretFile refuses a --secret-file path before anything is created: one that exists (it
// may hold the secret of something created before) or whose directory does not.
func CheckSecretFile(path string) error {
	if path == "" {
		return nil
	}
	if _, err := os.Lstat(path); err == nil {
		return UsageErrorf("--secret-file %s already exists: give a new path (it is never replaced, since it may hold a secret shown only once)", path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return UsageErrorf("--secret-file %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return UsageErrorf("--secret-file %s: the directory %s does not exist", path, dir)
	}
	return nil
}

// WriteSecretFile writes data to path with mode 0600, whole or not at all: into a temporary file
// beside it first, then linked into place, which fails rather than replace a file that appeared
// meanwhile.
func WriteSecretFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // after the link, the file lives on under path
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Link(tmpName, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s appeared meanwhile and is not replaced", path)
		}
		// A file system without hard links: create the file exclusively instead (not atomic,
		// but never over another file).
		return writeExclusive(path, data)
	}
	return nil
}

func writeExclusive(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}

// CreateWithSecret runs the chain of a create whose answer carries a one-time secret: the
// --secret-file path is checked before anything is sent, create is called with the client and
// the organization, a lost answer is settled with lost (whose query gets the organization; the
// secret cannot be recovered, so that is an error saying what exists and what to do), and the
// answer is saved to --secret-file before anything else is done with it.
func (f *Factory) CreateWithSecret(ctx context.Context, secretFile string, lost LostCreate,
	create func(c *cloud.Client, org string) (any, error)) (*cloud.Client, string, json.RawMessage, error) {
	if err := CheckSecretFile(secretFile); err != nil {
		return nil, "", nil, err
	}
	c, org, err := f.Begin(ctx)
	if err != nil {
		return nil, "", nil, err
	}
	result, err := RawResult(create(c, org))
	if err != nil {
		lost.Query.OrgID = org
		_, err = f.SettleLostCreate(ctx, c, err, lost)
		return nil, "", nil, err
	}
	if err := f.SaveSecrets(secretFile, result); err != nil {
		return nil, "", nil, err
	}
	return c, org, result, nil
}

// SaveSecrets writes a create's answer to the --secret-file path, if one was given, as soon as
// the answer is in (before any wait that could be interrupted). When the file cannot be written
// the answer is printed on stdout instead, as JSON, so that its secrets are not lost, and the
// error says where they went.
func (f *Factory) SaveSecrets(path string, answer []byte) error {
	if path == "" {
		return nil
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, answer, "", "  "); err != nil {
		pretty.Reset()
		pretty.Write(answer)
	}
	pretty.WriteByte('\n')
	if err := WriteSecretFile(path, pretty.Bytes()); err != nil {
		_, _ = f.IOStreams.Out.Write(pretty.Bytes())
		return fmt.Errorf("writing --secret-file %s failed (%w): the whole answer, with its secrets, is printed on stdout instead", path, err)
	}
	f.Infof("The answer, with its one-time secrets, is in %s (mode 0600).", path)
	return nil
}

// PrintCreated prints a create's result like Print, then checks that the one-time secrets of its
// answer are in what was printed or in the --secret-file. Those --jq or --output left out are
// named on stderr (never their values), with what to do.
func (f *Factory) PrintCreated(data any, table output.Table, secretFile string, lostHint string, secrets ...OneTimeSecret) error {
	var buf bytes.Buffer
	err := output.Print(&buf, f.Output, f.IOStreams.IsStdoutTTY(), data, table)
	if _, werr := f.IOStreams.Out.Write(buf.Bytes()); err == nil {
		err = werr
	}
	if err != nil || secretFile != "" {
		return err
	}
	var missing []string
	for _, s := range secrets {
		if s.Value != "" && !containsSecret(buf.Bytes(), s.Value) {
			missing = append(missing, s.Label)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	how := "the output"
	if f.Output.JQ != "" {
		how = "--jq " + f.Output.JQ
	} else if f.Output.Format != "" {
		how = "--output " + f.Output.Format
	}
	f.Infof("! %s left out the %s, which the API shows only in this answer: %s not printed and cannot be shown again.",
		how, joinLabels(missing), pronoun(missing))
	if lostHint != "" {
		f.Infof("  %s", lostHint)
	}
	f.Infof("  Scripts: add --secret-file PATH to keep the whole answer in a new file (mode 0600) whatever --jq prints.")
	return nil
}

// containsSecret looks for the value as printed raw (tables, --jq strings) or JSON-escaped.
func containsSecret(printed []byte, value string) bool {
	if bytes.Contains(printed, []byte(value)) {
		return true
	}
	quoted, _ := json.Marshal(value)
	return bytes.Contains(printed, bytes.Trim(quoted, `"`))
}

func joinLabels(labels []string) string {
	if len(labels) <= 1 {
		return strings.Join(labels, "")
	}
	return strings.Join(labels[:len(labels)-1], ", ") + " and " + labels[len(labels)-1]
}

func pronoun(labels []string) string {
	if len(labels) == 1 {
		return "it was"
	}
	return "they were"
}
