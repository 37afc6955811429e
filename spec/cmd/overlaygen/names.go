package main

import (
	"fmt"
	"os"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// builtinInitialisms mirrors the list in oapi-codegen v2.8.2 (pkg/codegen/utils.go). The
// generator applies it together with the config's additional-initialisms; x-go-name values must
// follow the same rules to match the names of the types around them.
var builtinInitialisms = []string{
	"ACL", "API", "ASCII", "CPU", "CSS", "DNS", "EOF", "GUID", "HTML", "HTTP", "HTTPS", "ID", "IP", "JSON",
	"QPS", "RAM", "RPC", "SLA", "SMTP", "SQL", "SSH", "TCP", "TLS", "TTL", "UDP", "UI", "GID", "UID", "UUID",
	"URI", "URL", "UTF8", "VM", "XML", "XMPP", "XSRF", "XSS", "SIP", "RTP", "AMQP", "DB", "TS",
}

var camelParts = regexp.MustCompile(`[\p{Lu}\d]+([\p{Ll}\d]+|$)`)

// goNamer returns the name-normalizer ToCamelCaseWithInitialisms as configured in the oapi-codegen
// config file at configPath.
func goNamer(configPath string) (func(string) string, error) {
	raw, err := os.ReadFile(configPath)
	if err != nil {
		return nil, err
	}
	var cfg struct {
		OutputOptions struct {
			AdditionalInitialisms []string `yaml:"additional-initialisms"`
		} `yaml:"output-options"`
	}
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		return nil, fmt.Errorf("%s: %v", configPath, err)
	}
	return newNamer(cfg.OutputOptions.AdditionalInitialisms), nil
}

func newNamer(additional []string) func(string) string {
	m := map[string]string{}
	for _, w := range append(append([]string{}, builtinInitialisms...), additional...) {
		m[strings.ToLower(w)] = w
	}
	return func(s string) string {
		if s != "" {
			s = strings.ToUpper(s[:1]) + s[1:]
		}
		parts := camelParts.FindAllString(s, -1)
		for i, p := range parts {
			if v, ok := m[strings.ToLower(p)]; ok {
				parts[i] = v
			}
		}
		return strings.Join(parts, "")
	}
}
