"""Wire protocols (awsJson 1.0/1.1 and the query protocol), driven by the botocore service models."""
