"""From recorded to card in hand: lifecycle, central batches, printing, shipments, handover."""
