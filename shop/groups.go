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
	pre, suf := -1, -1
	for i, t := range titles {
		words[i] = strings.Fields(t)
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
	label := func(w []string) string { return strings.Join(w[pre:], " ") }
	if pre > 0 && pre >= suf {
		shared = trimVariantPart(words[0][:pre], true)
		if r, _ := utf8.DecodeLastRuneInString(words[0][pre-1]); !isSeparator(r) {
			// The shared words run into the part that varies ("Runner
			// Ace – EU 38", "Runner Ace – EU 39"): a separator one or two
			// words before their end starts it.
			for j := len(shared) - 1; j >= 1 && j >= len(shared)-3; j-- {
				if isSeparatorWord(shared[j]) {
					shared = trimVariantPart(shared[:j], true)
					break
				}
			}
		}
	} else if suf > 0 {
		shared = trimVariantPart(words[0][len(words[0])-suf:], false)
		label = func(w []string) string { return strings.Join(w[:len(w)-suf], " ") }
	}
	name = strings.Join(shared, " ")
	if !strings.ContainsFunc(name, unicode.IsLetter) {
		return "", labels
	}
	out := make([]string, len(titles))
	for i := range titles {
		if out[i] = label(words[i]); out[i] == "" {
			return name, titles // a title that adds nothing: the titles tell them apart
		}
	}
	return name, out
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
