package iostreams

import "testing"

func TestColorEnabled(t *testing.T) {
	ios, _, _, _ := Test()
	if ios.ColorEnabled() {
		t.Error("colour on a pipe")
	}
	ios.SetStdoutTTY(true)
	if !ios.ColorEnabled() {
		t.Error("no colour on a terminal")
	}
	ios.SetNoColor(true)
	if ios.ColorEnabled() {
		t.Error("colour despite NO_COLOR")
	}
}
