package models

import "strings"

// formulaStarts are the first characters that make a spreadsheet read a
// CSV cell as a formula (OWASP's CSV injection list).
const formulaStarts = "=+-@\t\r"

// GuardCSVCell stops a spreadsheet from running a cell as a formula: a cell
// that would start one gets a leading apostrophe, which spreadsheets hide.
// Every text cell the shop exports goes through it: product titles come
// from suppliers' files, slots from the events API.
func GuardCSVCell(v string) string {
	if v != "" && strings.ContainsRune(formulaStarts, rune(v[0])) {
		return "'" + v
	}
	return v
}

// UnguardCSVCell undoes GuardCSVCell, so a file the shop exported imports
// back unchanged: an apostrophe is dropped only in front of what the guard
// puts one in front of.
func UnguardCSVCell(v string) string {
	if len(v) >= 2 && v[0] == '\'' && strings.ContainsRune(formulaStarts, rune(v[1])) {
		return v[1:]
	}
	return v
}
