package models

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxPriceDigits bounds the whole-currency part (below 10 billion).
const maxPriceDigits = 10

// ParsePrice turns a decimal amount in currency units ("19.99", "5", "0.5",
// "19,99", "1.299,00", "1,299.00", "1 299,00", "1'299.50") into cents
// exactly, without going through floating point. It is the one reading of a
// price: the import's price columns and the admin's amount fields both use
// it, so a price the import takes is one a merchant can type, and an amount
// either refuses ("1,299": a thousand, or 1.299?) the other refuses too.
func ParsePrice(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("is empty")
	}
	if s[0] == '-' {
		return 0, fmt.Errorf("%s is negative", Quoted(s))
	}
	s = decimalComma(thousandsCommas(spacedThousands(ZeroDecimals(s, 2))))
	whole, frac, dot := strings.Cut(s, ".")
	if !dot && thousandsCommas(s+".0") != s+".0" {
		// "1,299": commas grouping thousands without a decimal point, or a
		// decimal comma with three decimals. Say so, and how to write it,
		// rather than show the example of the other notation.
		if strings.Count(s, ",") > 1 {
			return 0, fmt.Errorf("%s has commas grouping thousands but no decimal point: write %s.00", Quoted(s), s)
		}
		return 0, fmt.Errorf("%s is ambiguous: write %s.00 if the comma groups thousands, or %s,00 if it is a decimal comma", Quoted(s), s, strings.Replace(s, ",", ".", 1))
	}
	if groups := strings.Split(s, "."); len(groups) > 1 && thousandsGroups(groups) {
		// "1.299" or "1.299.000": points grouping thousands, as a
		// spreadsheet in a decimal-comma locale saves a whole amount
		// ("#.##0"), or three decimals. Say so, and how to write it,
		// rather than "more than 2 decimals" or "cannot parse".
		if len(groups) > 2 {
			return 0, fmt.Errorf("%s has points grouping thousands but no decimal comma: write %s,00", Quoted(s), s)
		}
		return 0, fmt.Errorf("%s has three decimals or a point grouping thousands: write %s,00 if the point groups thousands, or round it to 2 decimals if it is a decimal point", Quoted(s), s)
	}
	if !allDigits(whole) || (dot && !allDigits(frac)) || whole == "" || (dot && frac == "") {
		return 0, fmt.Errorf("cannot parse %s as a price like 19.99", Quoted(s))
	}
	if len(frac) > 2 {
		return 0, fmt.Errorf("%s has more than 2 decimals", Quoted(s))
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > maxPriceDigits {
		return 0, fmt.Errorf("%s is too large", Quoted(s))
	}
	var cents int64
	for _, r := range whole {
		cents = cents*10 + int64(r-'0')
	}
	frac += "00"[len(frac):]
	cents = cents*100 + int64(frac[0]-'0')*10 + int64(frac[1]-'0')
	return cents, nil
}

// thousandsGroups tells whether a number split at its points reads as
// thousands grouped by them: a first group of one to three digits not
// starting with 0, then groups of three digits ("1.299", "12.345.678").
func thousandsGroups(groups []string) bool {
	if g := groups[0]; g == "" || len(g) > 3 || g[0] == '0' || !allDigits(g) {
		return false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 || !allDigits(g) {
			return false
		}
	}
	return true
}

// ZeroDecimals drops the zeros past keep decimals of a number, as
// Magento's export writes every price ("89.000000") and quantity
// ("12.0000") and BigCommerce's its prices ("29.9500"): "89.00", "12".
// The decimals after the last point or comma are dropped only when they
// are all zeros past keep and are not three: "1.000" may be a thousand in
// a German file, and is left as it is.
func ZeroDecimals(s string, keep int) string {
	i := strings.LastIndexAny(s, ".,")
	if i < 0 {
		return s
	}
	tail := s[i+1:]
	if len(tail) <= keep || len(tail) == 3 || !allDigits(tail) || strings.Trim(tail[keep:], "0") != "" {
		return s
	}
	if keep == 0 {
		return s[:i]
	}
	return s[:i+1] + tail[:keep]
}

// spacedThousands drops the spaces or apostrophes that group the thousands
// of a price as a French, Polish, Czech or Scandinavian spreadsheet saves it
// ("1 299,00", with a space, a no-break space or a narrow no-break space:
// "1 299,00 zł") and a Swiss one ("1'299.50", "1’299.50"): "1299,00",
// "1299.50", for the notations below to read. Neither a space nor an
// apostrophe is ever a decimal mark, so a whole amount ("1 299") is no
// more ambiguous than one written without them. Anything else is returned
// as it is: groups that are not thousands ("12 34,00"), two kinds of
// separator in one amount, or points or commas among the groups.
func spacedThousands(s string) string {
	isSep := func(r rune) bool {
		return r == ' ' || r == '\u00a0' || r == '\u202f' || r == '\'' || r == '’'
	}
	if strings.IndexFunc(s, isSep) < 0 {
		return s
	}
	head, tail := s, ""
	if i := strings.LastIndexAny(s, ".,"); i >= 0 {
		if d := s[i+1:]; d == "" || len(d) > 2 || !allDigits(d) {
			return s
		}
		head, tail = s[:i], s[i:]
	}
	var sep rune
	for _, r := range head {
		if isSep(r) {
			if sep != 0 && r != sep {
				return s
			}
			sep = r
		}
	}
	groups := strings.Split(head, string(sep))
	if !thousandsGroups(groups) {
		return s
	}
	return strings.Join(groups, "") + tail
}

// decimalComma rewrites a price written with a decimal comma, as a German
// or French shop's export writes it ("17,90", "1.299,00": points group the
// thousands), as "17.90" and "1299.00", as the admin's price fields read
// it too. Anything else is returned as it is: "1,299" (three digits after
// the comma) may be a thousand and is refused, as are groups that are not
// thousands ("12.34,56").
func decimalComma(s string) string {
	i := strings.LastIndexByte(s, ',')
	if i < 0 {
		return s
	}
	head, tail := s[:i], s[i+1:]
	if len(tail) < 1 || len(tail) > 2 || !allDigits(tail) || head == "" {
		return s
	}
	groups := strings.Split(head, ".")
	for k, g := range groups {
		if g == "" || !allDigits(g) || k > 0 && len(g) != 3 || k == 0 && len(groups) > 1 && len(g) > 3 {
			return s
		}
	}
	return strings.Join(groups, "") + "." + tail
}

// thousandsCommas rewrites a price whose commas group the thousands before
// a decimal point, as an English-speaking shop's export writes it
// ("1,299.00", "12,345,678.50"), as "1299.00". Without a decimal point
// the commas are left ("1,299" stays ambiguous, and is refused).
func thousandsCommas(s string) string {
	head, tail, dot := strings.Cut(s, ".")
	if !dot || !strings.Contains(head, ",") || strings.Contains(tail, ",") {
		return s
	}
	groups := strings.Split(head, ",")
	for k, g := range groups {
		if g == "" || !allDigits(g) || k > 0 && len(g) != 3 || k == 0 && len(g) > 3 {
			return s
		}
	}
	return strings.Join(groups, "") + "." + tail
}

// SplitCurrency takes the currency a price is written with off it: a
// symbol ("$19.99", "19,99 €", "US$ 5", "R$ 10,00") or an ISO 4217 code
// ("USD 19.99", "19.99 EUR") before or after the amount, as exports from
// other shop systems write prices. It returns the amount and the currency
// as written, "" when the price has none.
func SplitCurrency(s string) (amount, currency string) {
	s = strings.TrimSpace(s)
	isMark := func(m string) bool {
		if m == "" {
			return false
		}
		if len(m) == 3 && strings.IndexFunc(m, func(r rune) bool { return r < 'A' || r > 'Z' }) < 0 {
			return true // an ISO 4217 code
		}
		for _, c := range Currencies {
			if strings.EqualFold(c.Symbol, m) {
				return true // "kr", "zł", "Kč", "R" too
			}
		}
		// A symbol, possibly led by up to two capitals ("US$", "R$").
		last, size := utf8.DecodeLastRuneInString(m)
		if !unicode.Is(unicode.Sc, last) {
			return false
		}
		lead := m[:len(m)-size]
		return len(lead) <= 2 && strings.IndexFunc(lead, func(r rune) bool { return r < 'A' || r > 'Z' }) < 0
	}
	digit := func(r rune) bool { return r >= '0' && r <= '9' }
	if i := strings.IndexFunc(s, digit); i > 0 {
		m := strings.TrimSpace(s[:i])
		// A minus between the mark and the digits ("US$ -5.00", "€-5")
		// stays with the amount, which ParsePrice then calls negative.
		if sign, ok := strings.CutSuffix(m, "-"); ok && isMark(strings.TrimSpace(sign)) {
			return "-" + strings.TrimSpace(s[i:]), strings.TrimSpace(sign)
		}
		if isMark(m) {
			return strings.TrimSpace(s[i:]), m
		}
	}
	if i := strings.LastIndexFunc(s, digit); i >= 0 && i < len(s)-1 {
		if m := strings.TrimSpace(s[i+1:]); isMark(m) {
			return strings.TrimSpace(s[:i+1]), m
		}
	}
	return s, ""
}

// CurrencyCode names the currency a price was written with: its ISO 4217
// code, the code of the shop currency whose symbol it is ("$" is USD, "€"
// EUR, "US$" USD), or the mark itself when no shop currency has it alone
// ("kr" is Swedish, Norwegian or Danish). "" for a price written without one.
func CurrencyCode(mark string) string {
	if mark == "" {
		return ""
	}
	code := ""
	for _, c := range Currencies {
		switch {
		case c.Code == mark:
			return c.Code
		case strings.EqualFold(c.Symbol, mark) && code == "":
			code = c.Code
		case strings.EqualFold(c.Symbol, mark):
			return mark
		}
	}
	if code != "" {
		return code
	}
	// A dollar led by its country ("US$", "C$"): the currency whose code
	// starts with those letters and whose symbol is that sign.
	last, size := utf8.DecodeLastRuneInString(mark)
	if lead := mark[:len(mark)-size]; lead != "" {
		for _, c := range Currencies {
			if strings.HasPrefix(c.Code, lead) && strings.HasSuffix(c.Symbol, string(last)) {
				return c.Code
			}
		}
	}
	return mark
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
