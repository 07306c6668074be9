from price_calculator import EnergyPriceCalculator


class BillingService:
    @staticmethod
    def calculate_bill(kwh_used: int) -> int:
        price = EnergyPriceCalculator.get_price()
        return kwh_used * price
