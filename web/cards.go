package web

import (
	"fmt"
	"strconv"

	"storefront/images"
	"storefront/models"
	"storefront/shop"
	"storefront/templates"
)

// Catalog and CatNode are the shop's catalog snapshot (see package shop).
type (
	Catalog = shop.Catalog
	CatNode = shop.CatNode
)

// nav lists the departments a shopper can browse for the header.
func nav(c *Catalog) []templates.NavCategory {
	roots := c.Browsable()
	out := make([]templates.NavCategory, 0, len(roots))
	for _, r := range roots {
		out = append(out, templates.NavCategory{Name: r.Name, Slug: r.Slug})
	}
	return out
}

// ProductURL is the canonical URL of a product: id plus slug.
func ProductURL(p *models.Product) string {
	return "/p/" + strconv.FormatUint(uint64(p.ID), 10) + "-" + p.Slug
}

// ImageURL is the product's picture at card size: its uploaded image, the
// image_url it was imported with, or one drawn by the server.
func ImageURL(p *models.Product) string {
	if p.ImageURL != "" {
		return images.VariantURL(p.ImageURL, "card")
	}
	return fmt.Sprintf("/img/p/%d.svg", p.ID)
}

// PageImageURL is the product's picture at the size of its own page.
func PageImageURL(p *models.Product) string {
	if p.ImageURL != "" {
		return images.VariantURL(p.ImageURL, "page")
	}
	return ImageURL(p)
}

// card builds a product card view model.
func card(p *models.Product, reason, slot string, pos int) templates.Card {
	url := ProductURL(p)
	if slot != "" {
		url += "?slot=" + slot + "&pos=" + strconv.Itoa(pos)
	}
	return templates.Card{ID: p.ID, ExternalID: p.ExternalID, Title: p.Title, Brand: p.Brand,
		PriceCents: p.PriceCents, InStock: p.InStock(), URL: url, Image: ImageURL(p),
		Reason: reason, Slot: slot, Position: pos, CompareAtCents: saleCompareAt(p), DiscountPercent: p.DiscountPercent()}
}

// rowCard is a card of a row of recommendations (a product page's rows),
// which shows one product of a group: named by the group (the model, not
// the size the row happens to hold).
func rowCard(cat *Catalog, p *models.Product) templates.Card {
	cd := card(p, "", "", 0)
	cd.Title = cat.DisplayName(p)
	return cd
}

// listedCards builds a listing's cards: a card standing for several
// products of a group (its sizes or colours) is named by the group and
// shows the lowest of their prices, "from" when they differ.
func listedCards(lst shop.Listing, slot string, from int) []templates.Card {
	cards := make([]templates.Card, len(lst.Products))
	for i, p := range lst.Products {
		pos := 0
		if slot != "" {
			pos = from + i + 1
		}
		cards[i] = card(p, "", slot, pos)
		if i >= len(lst.Groups) || lst.Groups[i].Count < 2 {
			continue
		}
		g := lst.Groups[i]
		if g.Name != "" {
			cards[i].Title = g.Name
		}
		if g.PriceCents != p.PriceCents || g.From {
			cards[i].PriceCents, cards[i].From = g.PriceCents, g.From
			cards[i].CompareAtCents, cards[i].DiscountPercent = 0, 0
		}
	}
	return cards
}

// saleCompareAt is the regular price to strike through, or 0.
func saleCompareAt(p *models.Product) int64 {
	if p.OnSale() {
		return p.CompareAtCents
	}
	return 0
}
