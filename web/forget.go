package web

import "context"

// endSessionsOf ends every session signed in as the shopper, on any device.
// A request already on its way is signed out by identify, which checks the
// deleted shoppers (shop.IsForgotten).
func (s *Server) endSessionsOf(ctx context.Context, shopperID uint) error {
	return s.sessions.Iterate(ctx, func(ctx context.Context) error {
		if uint(s.sessions.GetInt(ctx, sessShopperID)) == shopperID {
			return s.sessions.Destroy(ctx)
		}
		return nil
	})
}
