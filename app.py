import gc

from maturity import create_app

app = create_app()

# Everything loaded so far (the app, its libraries, templates) lives as long as the process:
# keep it out of the garbage collector's full passes, which otherwise scan it all and stall a
# request now and then (about 100 ms at national scale).
gc.freeze()
