package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"storefront/search"
	"storefront/shop"
)

// suggestion is one entry of the search box's completion list.
type suggestion struct {
	Kind  string `json:"kind"` // "product" or "category"
	Label string `json:"label"`
	Hint  string `json:"hint,omitempty"` // brand, or the parent category
	URL   string `json:"url"`
}

// searchSuggest completes what a shopper is typing with products and
// categories, as JSON for the search box's script. The search form works
// without it.
func (s *Server) searchSuggest(c echo.Context) error {
	q := strings.TrimSpace(c.QueryParam("q"))
	if len(q) > search.MaxQueryLength {
		q = strings.ToValidUTF8(q[:search.MaxQueryLength], "")
	}
	out := make([]suggestion, 0, 9)
	if len([]rune(q)) >= 2 {
		cat := s.shop.Catalog()
		for _, n := range matchingCategories(cat, q, 3) {
			hint := ""
			if n.Parent != nil {
				hint = n.Parent.Name
			}
			out = append(out, suggestion{Kind: "category", Label: n.Name, Hint: hint, URL: "/c/" + n.Slug})
		}
		ids, err := s.shop.Search().Suggest(c.Request().Context(), q, 6)
		if err != nil {
			return err
		}
		// One suggestion per product group (the sizes of one model), named
		// by the group when more than one of its products matched.
		found := map[string]int{}
		for _, id := range ids {
			if p, ok := cat.Product(id); ok && p.GroupID != "" {
				found[p.GroupID]++
			}
		}
		for _, id := range ids {
			p, ok := cat.Product(id)
			if !ok || p.GroupID != "" && found[p.GroupID] < 0 {
				continue
			}
			label := p.Title
			if p.GroupID != "" {
				if found[p.GroupID] > 1 {
					label = cat.DisplayName(p)
				}
				found[p.GroupID] = -1
			}
			out = append(out, suggestion{Kind: "product", Label: label, Hint: p.Brand, URL: ProductURL(p)})
		}
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=60")
	return c.JSON(http.StatusOK, out)
}

// matchingCategories finds categories whose name has a word starting with
// each typed word ("run sh" → Running Shoes), biggest departments first;
// only those a shopper can browse (shop.Catalog.Listed).
func matchingCategories(cat *shop.Catalog, q string, n int) []*shop.CatNode {
	typed := search.Tokenize(q)
	var out []*shop.CatNode
	var walk func(nodes []*shop.CatNode)
	walk = func(nodes []*shop.CatNode) {
		for _, node := range nodes {
			if len(out) == n {
				return
			}
			if !cat.Listed(node) {
				continue // nothing below it a shopper can browse
			}
			words := search.Tokenize(node.Name)
			all := len(typed) > 0
			for _, t := range typed {
				found := false
				for _, w := range words {
					found = found || strings.HasPrefix(w, t)
				}
				all = all && found
			}
			if all {
				out = append(out, node)
			}
			walk(node.Children)
		}
	}
	walk(cat.Roots)
	return out
}
