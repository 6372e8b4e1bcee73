package main

import (
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// TestCommandsDoNotLinkTheWebServer: only main.go wires the web server
// (serve); every other command lives in files whose imports, followed all
// the way down, reach neither package web nor Echo.
func TestCommandsDoNotLinkTheWebServer(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	imports := map[string]bool{}
	fset := token.NewFileSet()
	checked := 0
	for _, f := range files {
		if f == "main.go" || strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		af, err := parser.ParseFile(fset, f, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, im := range af.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			imports[p] = true
		}
	}
	if checked == 0 || !imports["storefront/shop"] {
		t.Fatalf("expected the command files to use package shop; checked %d files, imports %v", checked, imports)
	}
	list := make([]string, 0, len(imports))
	for p := range imports {
		list = append(list, p)
	}
	sort.Strings(list)
	out, err := exec.Command("go", append([]string{"list", "-deps"}, list...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "storefront/web" || strings.HasPrefix(dep, "github.com/labstack/echo") {
			t.Errorf("a command outside serve links %s", dep)
		}
	}
}
