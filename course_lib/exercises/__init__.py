"""Exercise widgets: one module per exercise type, thin views over content and store."""
