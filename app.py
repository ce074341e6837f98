from maturity import create_app

app = create_app()
