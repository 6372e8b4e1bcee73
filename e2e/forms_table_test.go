package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEveryFormIsInTheFormsTable: docs/forms.md has one row for each
// <form of templates/ (counted per template), and every test it names is a
// test of this package. A form added without a browser test that submits
// it, or a test renamed away from the table, fails here, without a browser.
func TestEveryFormIsInTheFormsTable(t *testing.T) {
	templ, err := filepath.Glob("../templates/*.templ")
	must(t, err)
	forms := map[string]int{}
	for _, f := range templ {
		b, err := os.ReadFile(f)
		must(t, err)
		if n := strings.Count(string(b), "<form"); n > 0 {
			forms[strings.TrimSuffix(filepath.Base(f), ".templ")] = n
		}
	}
	doc, err := os.ReadFile("../docs/forms.md")
	must(t, err)
	rows := map[string]int{}
	named := map[string]bool{}
	testName := regexp.MustCompile(`\bTest[A-Z][A-Za-z0-9]*`)
	for _, line := range strings.Split(string(doc), "\n") {
		for _, name := range testName.FindAllString(line, -1) {
			named[name] = true
		}
		cells := strings.Split(line, "|")
		if len(cells) != 6 || strings.TrimSpace(cells[1]) == "Template" || strings.HasPrefix(strings.TrimSpace(cells[1]), "---") {
			continue
		}
		rows[strings.TrimSpace(cells[1])]++
		if !testName.MatchString(cells[3]) {
			t.Errorf("docs/forms.md: the %s form %q names no browser test", strings.TrimSpace(cells[1]), strings.TrimSpace(cells[2]))
		}
	}
	for name, n := range forms {
		if rows[name] != n {
			t.Errorf("templates/%s.templ has %d forms, docs/forms.md lists %d: add a row (and a browser test) for each form", name, n, rows[name])
		}
	}
	for name, n := range rows {
		if forms[name] == 0 {
			t.Errorf("docs/forms.md lists %d forms of %s, which templates/ does not have", n, name)
		}
	}
	tests, err := filepath.Glob("*_test.go")
	must(t, err)
	var src strings.Builder
	for _, f := range tests {
		b, err := os.ReadFile(f)
		must(t, err)
		src.Write(b)
	}
	for name := range named {
		if !strings.Contains(src.String(), "func "+name+"(t *testing.T)") {
			t.Errorf("docs/forms.md names %s, which is not a test of e2e", name)
		}
	}
}
