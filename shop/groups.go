package shop

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"storefront/models"
)

// A product group (an import's group_id) is the sizes or colours of one
// model, one product (SKU) each. Its name is what a listing's card, a
// reason or a row's heading calls the model: the words its products'
// titles share, without the separator and the word "size" or "colour"
// before the part that varies:
//
//	"Dress Élise – S", "Dress Élise – M"           → "Dress Élise"
//	"Linen Shirt - size M", "Linen Shirt - size L" → "Linen Shirt"
//	"Red Wool Scarf", "Blue Wool Scarf"            → "Wool Scarf" (shared last words)
//	"Runner Ace – EU 38", "Runner Ace – EU 39"     → "Runner Ace"
//	"Linen Shirt – Blue – S", "… – Blue – M"       → "Linen Shirt – Blue"
//	"Crimson Élise", "Navy gown"                   → no name: each product's own title
//
// The shared first words are taken, or the shared last words when there
// are more of them (a colour written first); words are compared ignoring
// case. Shared first words that run on past a separator by a word or two
// ("Runner Ace – EU 38", "Runner Ace – EU 39") end at the separator
// ("Runner Ace"). A group whose titles share no word with a letter, and a group with
// one active product, has no name: its products keep their own titles.
// Each product's option label (the product page's "S", "M", "L") is what
// its title adds to the shared words, or its whole title when the group
// has no name or a title adds nothing.

// groupNaming is the name of a group with these titles and each title's
// option label; name is "" when the titles share no word (labels are then
// the titles).
func groupNaming(titles []string) (name string, labels []string) {
	labels = titles
	if len(titles) < 2 {
		return "", labels
	}
	words := make([][]string, len(titles))
	glued := make([][]bool, len(titles))
	pre, suf := -1, -1
	for i, t := range titles {
		words[i], glued[i] = titleWords(t)
		w, w0 := words[i], words[0]
		n := 0
		for n < len(w) && n < len(w0) && strings.EqualFold(w[n], w0[n]) {
			n++
		}
		m := 0
		for m < len(w) && m < len(w0) && strings.EqualFold(w[len(w)-1-m], w0[len(w0)-1-m]) {
			m++
		}
		if pre < 0 || n < pre {
			pre = n
		}
		if suf < 0 || m < suf {
			suf = m
		}
	}
	var shared []string
	sharedGlue := glued[0]
	label := func(i int) string {
		w, g := words[i][pre:], glued[i][pre:]
		for len(w) > 0 && isSeparatorWord(w[0]) {
			w, g = w[1:], g[1:] // "Throw-Oatmeal" beside "Throw": "Oatmeal"
		}
		return joinWords(w, g)
	}
	if pre > 0 && pre >= suf {
		shared = trimVariantPart(words[0][:pre], true)
		if r, _ := utf8.DecodeLastRuneInString(words[0][pre-1]); !isSeparator(r) {
			// The shared words run into the part that varies ("Runner
			// Ace – EU 38", "Runner Ace – EU 39"): a separator one or two
			// words before their end starts it (one written between
			// spaces: the hyphen of "T-Shirt" starts nothing).
			for j := len(shared) - 1; j >= 1 && j >= len(shared)-3; j-- {
				if isSeparatorWord(shared[j]) && !glued[0][j] {
					shared = trimVariantPart(shared[:j], true)
					break
				}
			}
		}
	} else if suf > 0 {
		shared = trimVariantPart(words[0][len(words[0])-suf:], false)
		sharedGlue = glued[0][len(words[0])-len(shared):]
		label = func(i int) string {
			n := len(words[i]) - suf
			return joinWords(words[i][:n], glued[i][:n])
		}
	}
	name = joinWords(shared, sharedGlue)
	if !strings.ContainsFunc(name, unicode.IsLetter) {
		return "", labels
	}
	out := make([]string, len(titles))
	for i := range titles {
		if out[i] = label(i); out[i] == "" {
			return name, titles // a title that adds nothing: the titles tell them apart
		}
	}
	return name, out
}

// titleWords splits a title into its words at spaces, and at a hyphen
// joining two words, as Magento names the variants of a configurable
// product ("Chunky Knit Throw-Oatmeal", "Hoodie-XS-Black"): the hyphen is
// a word of its own. glued[i] says word i follows the one before it
// without a space, so joinWords writes "T-Shirt" back as it was.
func titleWords(t string) (words []string, glued []bool) {
	for _, f := range strings.Fields(t) {
		start := 0
		for i, r := range f {
			if r != '-' || i == 0 || i == len(f)-1 {
				continue
			}
			before, _ := utf8.DecodeLastRuneInString(f[:i])
			after, _ := utf8.DecodeRuneInString(f[i+1:])
			if !isWordRune(before) || !isWordRune(after) {
				continue
			}
			words, glued = append(words, f[start:i], "-"), append(glued, start > 0, true)
			start = i + 1
		}
		words, glued = append(words, f[start:]), append(glued, start > 0)
	}
	return words, glued
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// joinWords writes words back with a space between them, except before a
// word glued to the one before it (titleWords).
func joinWords(words []string, glued []bool) string {
	var b strings.Builder
	for i, w := range words {
		if i > 0 && !glued[i] {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}

// variantWords introduce the part of a title that varies ("– size M").
var variantWords = map[string]bool{"size": true, "sizes": true, "colour": true, "color": true, "sz": true, "in": true,
	"taille": true, "couleur": true, "größe": true, "grösse": true, "farbe": true, "talla": true, "taglia": true, "colore": true, "maat": true, "kleur": true}

// trimVariantPart drops separators ("–", "|", "/", a trailing comma) and a
// word that introduces the varying part ("size") from the end of shared
// first words (atEnd) or from the start of shared last words.
func trimVariantPart(w []string, atEnd bool) []string {
	for len(w) > 0 {
		k := 0
		if atEnd {
			k = len(w) - 1
		}
		trimmed := strings.TrimFunc(w[k], func(r rune) bool { return isSeparator(r) })
		if trimmed != w[k] && trimmed != "" {
			w = append(w[:k:k], append([]string{trimmed}, w[k+1:]...)...)
			if atEnd {
				continue // "Élise," → "Élise": its punctuation was the separator
			}
		}
		if trimmed == "" || variantWords[strings.ToLower(trimmed)] {
			if atEnd {
				w = w[:k]
			} else {
				w = w[1:]
			}
			continue
		}
		break
	}
	return w
}

// isSeparatorWord is a word made of separators only ("–", "|").
func isSeparatorWord(w string) bool {
	return strings.TrimFunc(w, isSeparator) == ""
}

// isSeparator is punctuation that separates a title's parts.
func isSeparator(r rune) bool {
	return strings.ContainsRune("-–—|/,;:·•()[]", r)
}

// groupNames names every group with two or more active products.
func groupNames(products []models.Product, groups map[string][]uint, byID map[uint]*models.Product) map[string]string {
	names := map[string]string{}
	for g, ids := range groups {
		var titles []string
		for _, id := range ids {
			if p := byID[id]; p != nil && p.Active && p.GroupID == g {
				titles = append(titles, p.Title)
			}
		}
		if name, _ := groupNaming(titles); name != "" {
			names[g] = name
		}
	}
	return names
}

// GroupName is the name of a product group (see groupNaming), "" when it
// has none.
func (c *Catalog) GroupName(group string) string {
	if group == "" {
		return ""
	}
	return c.groupNames[group]
}

// DisplayName is what a reason or a row's heading calls a product: its
// group's name, else its title.
func (c *Catalog) DisplayName(p *models.Product) string {
	if n := c.GroupName(p.GroupID); n != "" {
		return n
	}
	return p.Title
}

// NameOf is DisplayName by external id; "" for a product the catalog does
// not hold.
func (c *Catalog) NameOf(ext string) string {
	if p, ok := c.byExt[ext]; ok {
		return c.DisplayName(p)
	}
	return ""
}

// GroupLabels names each product of a group for a choice between them (the
// product page's options): what its title adds to the group's name, or its
// whole title.
func GroupLabels(group []*models.Product) []string {
	titles := make([]string, len(group))
	for i, p := range group {
		titles[i] = p.Title
	}
	_, labels := groupNaming(titles)
	return labels
}

// Variants tells a product's variant within its product group — what its
// title adds to the group's name (GroupLabels: "M" for "Linen Shirt – M"),
// compared ignoring case and runs of spaces — and finds the product of an
// item's group in a variant ("" for none): a list offers a group in the
// size the shopper keeps to (recommender.Request.Variant). Both are nil
// in a catalog without variants, so a list does not count the shopper's
// sizes for every row of a page where there are none.
func (c *Catalog) Variants() (variant func(ext string) string, variantOf func(ext, label string) string) {
	if c.variants == nil || len(c.variants().label) == 0 {
		return nil, nil
	}
	index := c.variants()
	variant = func(ext string) string { return index.label[ext] }
	variantOf = func(ext, label string) string {
		p, ok := c.byExt[ext]
		if !ok || p.GroupID == "" {
			return ""
		}
		return index.byLabel[p.GroupID+"\x1f"+label]
	}
	return variant, variantOf
}

// variantIndex is each grouped product's variant label and the product of
// a group in a variant (keyed by group_id, a 0x1f and the label).
type variantIndex struct {
	label, byLabel map[string]string
}

// variantLabels labels each product of a group of two or more active
// products with its variant (GroupLabels), folded to lower case with runs
// of spaces made one; a label two products of a group share names the
// first.
func (c *Catalog) variantLabels() variantIndex {
	v := variantIndex{label: map[string]string{}, byLabel: map[string]string{}}
	for g := range c.groups {
		group := c.Group(g)
		if len(group) < 2 {
			continue
		}
		for i, l := range GroupLabels(group) {
			l = strings.ToLower(strings.Join(strings.Fields(l), " "))
			if l == "" || l == strings.ToLower(strings.Join(strings.Fields(group[i].Title), " ")) {
				continue
			}
			v.label[group[i].ExternalID] = l
			if _, dup := v.byLabel[g+"\x1f"+l]; !dup {
				v.byLabel[g+"\x1f"+l] = group[i].ExternalID
			}
		}
	}
	return v
}

// twinKeys maps every product without a group whose title and brand
// (compared ignoring case and runs of spaces) another product without a
// group also has to a key they share, which no group_id can be (it starts
// with a NUL, which the database refuses in any text).
func twinKeys(byExt map[string]*models.Product) map[string]string {
	key := func(p *models.Product) string {
		return "\x00twin\x1f" + strings.ToLower(strings.Join(strings.Fields(p.Title), " ")) + "\x1f" + strings.ToLower(strings.Join(strings.Fields(p.Brand), " "))
	}
	count := map[string]int{}
	for _, p := range byExt {
		if p.GroupID == "" {
			count[key(p)]++
		}
	}
	out := map[string]string{}
	for ext, p := range byExt {
		if p.GroupID != "" {
			continue
		}
		if k := key(p); count[k] > 1 {
			out[ext] = k
		}
	}
	return out
}
