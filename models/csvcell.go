package models

import "strings"

// formulaStarts are the first characters that make a spreadsheet read a
// CSV cell as a formula (OWASP's CSV injection list).
const formulaStarts = "=+-@\t\r"

// cellSeparators are where a spreadsheet may start a new cell inside what
// the file wrote as one: Excel in a locale whose list separator is the
// semicolon (German, French, …) opens a .csv by splitting its lines at ';',
// and LibreOffice offers the semicolon and the tab beside the comma. A
// title "Pen;=WEBSERVICE(…)" was one guarded cell to a comma reader and a
// formula to them.
const cellSeparators = ";\t"

// GuardCSVCell stops a spreadsheet from running a cell as a formula: a cell
// that would start one gets a leading apostrophe, which spreadsheets hide,
// and so does what follows a semicolon or tab inside it (after spaces),
// where a spreadsheet splitting at those starts a cell. Every text cell the
// shop exports goes through it: product titles come from suppliers' files,
// slots from the events API.
func GuardCSVCell(v string) string {
	if v == "" {
		return v
	}
	if strings.ContainsAny(v, cellSeparators) {
		var b strings.Builder
		for i := 0; i < len(v); i++ {
			b.WriteByte(v[i])
			if strings.IndexByte(cellSeparators, v[i]) < 0 {
				continue
			}
			j := i + 1
			for j < len(v) && v[j] == ' ' {
				j++
			}
			if j < len(v) && strings.IndexByte(formulaStarts, v[j]) >= 0 {
				b.WriteString(v[i+1 : j])
				b.WriteByte('\'')
				i = j - 1 // v[j] next, itself checked when it is a tab
			}
		}
		v = b.String()
	}
	if strings.ContainsRune(formulaStarts, rune(v[0])) {
		return "'" + v
	}
	return v
}

// UnguardCSVCell undoes GuardCSVCell, so a file the shop exported imports
// back unchanged: an apostrophe is dropped only where the guard puts one,
// in front of a formula's first character at the cell's start or after a
// semicolon or tab and spaces.
func UnguardCSVCell(v string) string {
	if len(v) >= 2 && v[0] == '\'' && strings.ContainsRune(formulaStarts, rune(v[1])) {
		v = v[1:]
	}
	if !strings.ContainsAny(v, cellSeparators) {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		b.WriteByte(v[i])
		if strings.IndexByte(cellSeparators, v[i]) < 0 {
			continue
		}
		j := i + 1
		for j < len(v) && v[j] == ' ' {
			j++
		}
		if j+1 < len(v) && v[j] == '\'' && strings.IndexByte(formulaStarts, v[j+1]) >= 0 {
			b.WriteString(v[i+1 : j])
			i = j // the apostrophe dropped; v[j+1] next
		}
	}
	return b.String()
}
