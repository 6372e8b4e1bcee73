package web

import (
	"context"
	"strconv"
	"time"
	"weak"

	"storefront/recommender"
	"storefront/templates"
)

// Product pages prepared ahead of their first view.
//
// A product page is the same for every viewer and kept rendered
// (bodyCache), but its first view after the catalog's run of snapshots
// or the model changed rendered it: the body, its rows, its compression,
// ~100 µs of a request that otherwise costs ~25 µs. A shop's views spread
// over thousands of products, so after every retrain or full catalog
// build most of them were first views again, each paid by a shopper
// waiting for the page. The server now renders the pages of the most
// popular products in stock in the background when those versions change
// (and, when the snapshot moves on, the pages an order or edit dropped),
// up to half the bodies' memory budget; a view of a product past that,
// or of one sold out, still renders it at once.

const (
	// prepareEvery is how often the versions are looked at.
	prepareEvery = time.Second
	// prepareAgainAfter is how long after a pass a later snapshot of the
	// same run (orders, edits: the pages of what changed were dropped) is
	// prepared on; a new run or model is prepared on at once.
	prepareAgainAfter = 10 * time.Second
	// preparedBodyBytes bounds the memory of prepared product pages: the
	// rest of the bodies' budget stays for listings, searches and pages
	// of less popular products as they are viewed.
	preparedBodyBytes = sharedBodyBytes / 2
)

// preparedFor is the versions the product pages were last prepared on.
type preparedFor struct {
	layout, settings uint64
	run, serial      uint64
	model            weak.Pointer[recommender.Model]
	at               time.Time // when they were
}

// prepareProductPages prepares product pages whenever the versions they
// are kept under change, until ctx ends.
func (s *Server) prepareProductPages(ctx context.Context) {
	t := time.NewTicker(prepareEvery)
	defer t.Stop()
	var last preparedFor
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		last = s.prepareProductPagesOnce(ctx, last)
	}
}

// prepareProductPagesOnce renders and keeps the page bodies of the most
// popular products in stock that have none on the current versions, up to
// preparedBodyBytes of them, unless it did so on these versions already
// (last). It stops when the run of snapshots, the model, the layout or the
// settings change under it. It returns the versions it prepared on.
func (s *Server) prepareProductPagesOnce(ctx context.Context, last preparedFor) preparedFor {
	view, gen := s.currentShopView(ctx)
	ver := pageVersion{Versions: s.shop.Versions(), settings: gen}
	cat := ver.Catalog
	if cat == nil {
		return last
	}
	now := preparedFor{layout: ver.Layout, settings: gen, run: cat.Run(), serial: cat.Serial(), model: weak.Make(ver.Model)}
	if now.serial == last.serial && now.layout == last.layout && now.settings == last.settings && now.model == last.model {
		return last
	}
	fresh := now.layout != last.layout || now.settings != last.settings || now.run != last.run || now.model != last.model
	if !fresh && time.Since(last.at) < prepareAgainAfter {
		return last
	}
	now.at = time.Now()
	nav := s.catalogDerived().nav
	ctx = templates.WithShop(ctx, view)
	start, rendered, bytes := time.Now(), 0, 0
	for i, id := range cat.Popular {
		if bytes >= preparedBodyBytes || ctx.Err() != nil {
			break
		}
		if i%32 == 31 {
			cur := s.shop.Versions()
			if cur.Layout != ver.Layout || cur.Catalog.Run() != cat.Run() || cur.Model != ver.Model {
				return last // prepared on the new versions at the next look
			}
		}
		p, ok := cat.Product(id)
		if !ok {
			continue
		}
		key := "p" + strconv.FormatUint(uint64(id), 10) + "|"
		if bd, ok := s.bodies.get(key, ver); ok {
			bytes += bd.size()
			continue
		}
		vm := s.productPage(ctx, cat, p, "")
		vm.CSRF = csrfMark
		bd, err := s.keepProductBody(ctx, ver, key, vm, p)
		if err == nil {
			// The layout around it as a visitor's first view would keep
			// it (product: base, renderCached).
			err = keepPlainLayout(ctx, templates.Base{Title: p.Title, Description: truncate(p.Description, 160),
				Path: ProductURL(p), CSRF: csrfMark, Nav: nav}, bd)
		}
		if err != nil {
			s.log.Warn("preparing a product page failed", "product", id, "err", err)
			return last
		}
		bytes += bd.size()
		rendered++
	}
	if fresh {
		s.log.Info("product pages prepared", "rendered", rendered, "bytes", bytes, "took", time.Since(start).Round(time.Millisecond))
	}
	return now
}
