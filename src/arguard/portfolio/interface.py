"""The portfolio capability's front door: the stored book as the model sees it and its loss
distribution (records in arguard.portfolio.model)."""

from arguard.portfolio.service import (
                                       DEFAULT_LGD,
                                       UNGRADED_PD,
                                       simulate_stored,
                                       stored_book,
                                       stored_loss,
                                       stored_loss_figures,
)

__all__ = ["DEFAULT_LGD", "UNGRADED_PD", "simulate_stored", "stored_book", "stored_loss", "stored_loss_figures"]
