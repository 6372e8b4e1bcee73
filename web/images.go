package web

import (
	"fmt"
	"hash/fnv"
	"html"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// productImage draws a product picture as SVG so the shop looks complete
// without any image files: colours come from the category, the motif from
// the product, and the brand is printed on it.
func (s *Server) productImage(c echo.Context) error {
	id, ok := parseProductID(strings.TrimSuffix(c.Param("id"), ".svg"))
	if !ok {
		return echo.ErrNotFound
	}
	cat := s.shop.Catalog()
	p, ok := cat.Product(id)
	if !ok {
		return echo.ErrNotFound
	}
	catName := ""
	if n := cat.CategoryOf(p); n != nil {
		catName = n.Path()[0].Name
	}
	svg := drawProduct(p.ID, p.Title, p.Brand, catName)
	c.Response().Header().Set("Cache-Control", "public, max-age=86400")
	return c.Blob(http.StatusOK, "image/svg+xml", []byte(svg))
}

func hash32(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

func drawProduct(id uint, title, brand, dept string) string {
	hue := hash32(dept) % 360
	h2 := (hue + 25 + hash32(title)%40) % 360
	motif := hash32(title) % 4
	var shape string
	switch motif {
	case 0:
		shape = `<circle cx="120" cy="110" r="62" fill="url(#g2)"/>`
	case 1:
		shape = `<rect x="62" y="52" width="116" height="116" rx="22" fill="url(#g2)"/>`
	case 2:
		shape = `<path d="M120 44 L182 150 L58 150 Z" fill="url(#g2)" stroke-linejoin="round"/>`
	default:
		shape = `<ellipse cx="120" cy="110" rx="78" ry="48" fill="url(#g2)"/>`
	}
	// Label the picture with the product's noun: the last word that is
	// not a number or a unit.
	label := dept
	words := strings.Fields(title)
	for i := len(words) - 1; i >= 0; i-- {
		w := strings.Trim(words[i], "()-,.")
		if len(w) > 2 && !strings.ContainsAny(w[:1], "0123456789") {
			label = w
			break
		}
	}
	return fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 240" width="240" height="240" role="img" aria-label="%s">
<defs>
<linearGradient id="g1" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(%d,45%%,93%%)"/><stop offset="1" stop-color="hsl(%d,40%%,84%%)"/></linearGradient>
<linearGradient id="g2" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="hsl(%d,55%%,58%%)"/><stop offset="1" stop-color="hsl(%d,50%%,38%%)"/></linearGradient>
</defs>
<rect width="240" height="240" fill="url(#g1)"/>
<ellipse cx="120" cy="178" rx="70" ry="8" fill="hsl(%d,30%%,70%%)" opacity=".6"/>
%s
<text x="120" y="206" text-anchor="middle" font-family="Helvetica,Arial,sans-serif" font-size="15" font-weight="700" fill="hsl(%d,35%%,25%%)">%s</text>
<text x="120" y="225" text-anchor="middle" font-family="Helvetica,Arial,sans-serif" font-size="11" fill="hsl(%d,25%%,35%%)">%s</text>
</svg>`, html.EscapeString(title), hue, hue, h2, h2, hue, shape, hue, html.EscapeString(strings.ToUpper(brand)), hue, html.EscapeString(label))
}
