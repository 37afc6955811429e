package conformance

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// RunFile is testdata/cassettes/_run.json: what a recording was made with. Replay reads the run
// prefix from it, because names the run chose (a UDF's name) appear in recorded paths.
type RunFile struct {
	RunPrefix  string `json:"runPrefix"`
	RecordedBy string `json:"recordedAgainst"`      // "the fake server cloudtest 0.1.0", or a URL
	RecordedOn string `json:"recordedOn,omitempty"` // YYYY-MM-DD
	// Fake is true when the answers came from cloudtest: a replay of them is no verdict on the
	// real API.
	Fake       bool   `json:"fake"`
	SpecSHA256 string `json:"specSha256"`
	// DisposableMember is the member memberDelete removed, so replay looks for the same one.
	DisposableMember string `json:"disposableMember,omitempty"`
	Note             string `json:"note"`
}

const runFileName = "_run.json"

// WriteRunFile saves the recording's metadata next to its cassettes.
func (c Config) WriteRunFile(target, specSHA string, fake bool) error {
	raw, err := json.MarshalIndent(RunFile{RunPrefix: c.RunPrefix, RecordedBy: target, RecordedOn: c.today(), Fake: fake, SpecSHA256: specSHA,
		DisposableMember: c.DisposableMember,
		Note:             "written by record mode; every cassette's answers carry X-Chcloud-Fake when recorded against the fake server"}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.CassetteDir, 0o755); err != nil {
		return fmt.Errorf("conformance: %w", err)
	}
	return os.WriteFile(filepath.Join(c.CassetteDir, runFileName), append(raw, '\n'), 0o644)
}

// ReadRunFile loads the recording's metadata; a missing file is ErrNoCassette.
func (c Config) ReadRunFile() (RunFile, error) {
	var rf RunFile
	raw, err := os.ReadFile(filepath.Join(c.CassetteDir, runFileName))
	if errors.Is(err, fs.ErrNotExist) {
		return rf, fmt.Errorf("%w %s (replay mode): record the cassettes against the fake server with `%s`",
			ErrNoCassette, filepath.Join(c.CassetteDir, runFileName), RecordCommand)
	}
	if err != nil {
		return rf, fmt.Errorf("conformance: %w", err)
	}
	if err := json.Unmarshal(raw, &rf); err != nil {
		return rf, fmt.Errorf("conformance: %s: %w", runFileName, err)
	}
	return rf, nil
}

func (c Config) today() string {
	if c.Today != "" {
		return c.Today
	}
	return time.Now().UTC().Format(time.DateOnly)
}
