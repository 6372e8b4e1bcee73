package seed

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlMarkup finds the tags shop systems write into descriptions (Shopify's
// "Body (HTML)", WooCommerce, Magento): a description holding one is HTML.
// Plain text that happens to hold a "<" ("fits cups < 10 cm") is not.
var htmlMarkup = regexp.MustCompile(`(?i)<(/?(p|br|div|span|ul|ol|li|strong|b|em|i|u|h[1-6]|a|table|thead|tbody|tr|td|th|img|font|section|article|blockquote|meta|style|script|hr|dl|dt|dd)\b[^>]*|!--)>?`)

// descriptionText turns a description written in HTML into the plain text
// the shop stores and shows (it shows descriptions as text, never as
// markup): a paragraph, heading, list or table ends a paragraph, a line
// break or list item a line (items led by "• "), entities are decoded
// ("&amp;" is "&"), and scripts, styles and comments are dropped. Text
// without HTML tags is returned as it is.
func descriptionText(s string) string {
	if !htmlMarkup.MatchString(s) {
		return s
	}
	var b strings.Builder
	pending := ""   // what goes before the next text: "", " ", "\n" or "\n\n"
	bullet := false // the next text starts a list item
	brk := func(k string) {
		if len(k) > len(pending) || pending == " " {
			pending = k
		}
	}
	skip := 0 // inside <script> or <style>
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return strings.TrimSpace(b.String())
		case html.TextToken:
			raw := string(z.Text())
			text := strings.Join(strings.Fields(raw), " ")
			if skip > 0 {
				continue
			}
			if text != "" && strings.TrimLeft(raw, " \t\r\n") != raw && pending == "" {
				pending = " "
			}
			if text != "" {
				if b.Len() > 0 {
					b.WriteString(pending)
				}
				if bullet {
					b.WriteString("• ")
				}
				b.WriteString(text)
				pending, bullet = "", false
			}
			if raw != "" && strings.TrimRight(raw, " \t\r\n") != raw && pending == "" {
				pending = " "
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, _ := z.TagName()
			start := tt != html.EndTagToken
			switch atom.Lookup(name) {
			case atom.Script, atom.Style:
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken {
					skip = max(skip-1, 0)
				}
			case atom.Br:
				brk("\n")
			case atom.Li, atom.Dt, atom.Dd:
				brk("\n")
				bullet = start
			case atom.Tr, atom.Div:
				brk("\n")
			case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Ul, atom.Ol, atom.Dl,
				atom.Table, atom.Blockquote, atom.Section, atom.Article, atom.Hr:
				brk("\n\n")
			}
		}
	}
}
