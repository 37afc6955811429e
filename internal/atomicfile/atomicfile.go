// Package atomicfile writes a file whole or not at all: the data goes to a temporary file beside
// the target, synced, then renamed over it, so a reader (or a crash) never sees half a file. It
// is the one atomic write of the module (the spec fetch, overlaygen and the CLI's config use it).
package atomicfile

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Staged is data written beside its target and not yet in place. Exactly one of Commit and
// Abort should be called.
type Staged struct {
	path, tmp string
}

// Stage writes data with mode perm to a temporary file in path's directory (so the rename stays
// on one file system), synced to disk. Callers that write several files stage them all and commit
// only when every one was written.
func Stage(path string, data []byte, perm fs.FileMode) (*Staged, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("writing %s: %w", path, err)
	}
	name := tmp.Name()
	// The mode is set before any byte is written: the data may be a secret.
	err = tmp.Chmod(perm)
	if err == nil {
		_, err = tmp.Write(data)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		os.Remove(name)
		return nil, fmt.Errorf("writing %s: %w", path, err)
	}
	return &Staged{path: path, tmp: name}, nil
}

// Commit renames the staged file over its target.
func (s *Staged) Commit() error {
	if err := os.Rename(s.tmp, s.path); err != nil {
		os.Remove(s.tmp)
		return fmt.Errorf("replacing %s: %w", s.path, err)
	}
	return nil
}

// Abort removes the staged file; the target is untouched.
func (s *Staged) Abort() error {
	if err := os.Remove(s.tmp); err != nil {
		return fmt.Errorf("removing the staged copy of %s: %w", s.path, err)
	}
	return nil
}

// WriteFile writes data to path with mode perm, whole or not at all.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	s, err := Stage(path, data, perm)
	if err != nil {
		return err
	}
	return s.Commit()
}
