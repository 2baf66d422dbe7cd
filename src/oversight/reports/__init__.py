"""Board reports written from the data: the SOAG overview to the board, the meeting pack and the
segmentation summary, as HTML, PDF and Word (issue 18)."""
