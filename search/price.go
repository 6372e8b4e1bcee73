package search

import (
	"regexp"
	"strings"
)

// Shoppers put their budget in the query: "dress under 50", "charger
// below £30", "boots between 80 and 120". Searched as words, "under 50"
// found the "SPF 50 Sunscreen" and whatever mentions 50, and every dress
// whatever its price; read as a price it is the price filter the results
// page already has.

// PriceWords reads a budget phrase out of a query: the query without it and
// the lowest and highest price asked for, as typed ("" when not given). It
// reports false when the query names no budget, or names nothing else to
// search for ("under 50" alone).
func PriceWords(q string) (rest, low, high string, ok bool) {
	m := budget.FindStringSubmatchIndex(q)
	if m == nil {
		return q, "", "", false
	}
	word := strings.ToLower(strings.Join(strings.Fields(q[m[2]:m[3]]), " "))
	// "19,99" as much as "19.99".
	price := func(i int) string { return strings.Replace(q[m[i]:m[i+1]], ",", ".", 1) }
	num := price(4)
	switch {
	case word == "between":
		if m[6] < 0 {
			return q, "", "", false
		}
		low, high = num, price(6)
	case budgetAbove[word]:
		low = num
	default:
		high = num
	}
	rest = strings.Join(strings.Fields(q[:m[0]]+" "+q[m[1]:]), " ")
	if len(Tokenize(rest)) == 0 {
		return q, "", "", false
	}
	return rest, low, high, true
}

// budget matches a price word, a number (with a currency sign or word
// around it) and, after "between", a second one; the number must end there
// ("over 50s" is an age, "under 10kg" a weight).
var budget = regexp.MustCompile(`(?i)(?:^|\s)(under|below|less than|cheaper than|up to|max|over|above|more than|at least|between)\s+` +
	currency + `(\d{1,7}(?:[.,]\d{1,2})?)` + currencyAfter +
	`(?:\s+(?:and|to|-)\s+` + currency + `(\d{1,7}(?:[.,]\d{1,2})?)` + currencyAfter + `)?(?:\s|$)`)

const (
	currency      = `(?:[$£€¥]\s?)?`
	currencyAfter = `(?:\s?(?:[$£€¥]|eur|euros?|usd|dollars?|gbp|pounds?|quid|bucks))?`
)

// budgetAbove are the words that set the lowest price; the others set the
// highest.
var budgetAbove = map[string]bool{"over": true, "above": true, "more than": true, "at least": true}
