package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"go.yaml.in/yaml/v3"

	"github.com/chcloud-dev/chcloud/internal/atomicfile"
)

// SetCredentials puts a new key ID and secret into one existing profile of the config file at
// path, for `chcloud key rotate`. Unlike Load, change and Save, it edits the YAML document in
// place: the other profiles, the other settings of this one, keys chcloud does not know and
// comments stay as they are, since a rotation has no business with them. The file is replaced
// atomically with mode 0600, so a crash leaves the old credentials or the new ones, never half
// of each. A profile still written with the old snake_case keys loses its api_key and api_secret
// entries, so that the old secret does not stay behind next to the new one.
func SetCredentials(path, profile, keyID, secret string) error {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("profile %q: the config file %s does not exist", profile, path)
	}
	if err != nil {
		return fmt.Errorf("reading config: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("config file %s is not valid YAML: %w", path, err)
	}
	node := profileNode(&doc, profile)
	if node == nil {
		file, _ := Load(path)
		var names []string
		if file != nil {
			names = file.ProfileNames()
		}
		return fmt.Errorf("profile %q not found in %s (profiles: %s)", profile, path, listOrNone(names))
	}
	removeKeys(node, "api_key", "api_secret")
	setScalar(node, "api-key", keyID)
	setScalar(node, "api-secret", secret)

	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return fmt.Errorf("encoding config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("encoding config: %w", err)
	}
	// What is written must read back as the change, or the file is left alone: a profile that
	// silently kept its old key would fail only after the old key is disabled.
	var check File
	if err := yaml.Unmarshal(out.Bytes(), &check); err != nil {
		return fmt.Errorf("encoding config: %w", err)
	}
	if p := check.Profiles[profile]; p.APIKey != keyID || p.APISecret != secret {
		return fmt.Errorf("encoding config: profile %q does not read back with the new credentials", profile)
	}
	if err := atomicfile.WriteFile(path, out.Bytes(), 0o600); err != nil {
		return fmt.Errorf("writing config: %w", err)
	}
	return nil
}

// profileNode returns the mapping node of profiles.NAME in a config document, or nil.
func profileNode(doc *yaml.Node, name string) *yaml.Node {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil
	}
	profiles := mappingValue(doc.Content[0], "profiles")
	if profiles == nil {
		return nil
	}
	node := mappingValue(profiles, name)
	if node == nil {
		return nil
	}
	if node.Kind == yaml.ScalarNode && node.Tag == "!!null" {
		// "name:" with nothing under it is an empty profile.
		*node = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	}
	if node.Kind != yaml.MappingNode {
		return nil
	}
	return node
}

// mappingValue returns the value of key in a mapping node, or nil.
func mappingValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// setScalar sets key to a string value in a mapping node, in place when the key is there (its
// position and comments stay), else appended.
func setScalar(m *yaml.Node, key, value string) {
	if v := mappingValue(m, key); v != nil {
		*v = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value, LineComment: v.LineComment}
		return
	}
	m.Content = append(m.Content,
		&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key},
		&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value})
}

// removeKeys deletes entries from a mapping node.
func removeKeys(m *yaml.Node, keys ...string) {
	kept := m.Content[:0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		drop := false
		for _, k := range keys {
			if m.Content[i].Value == k {
				drop = true
			}
		}
		if !drop {
			kept = append(kept, m.Content[i], m.Content[i+1])
		}
	}
	m.Content = kept
}
