// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The part of ERC-721 the vault calls.
interface IERC721 {
    function transferFrom(address from, address to, uint256 tokenId) external;
    function safeTransferFrom(address from, address to, uint256 tokenId) external;
}

/// @title A vault for the tokens of one collection, deposited with safeTransferFrom (lesson 10,
/// instructor's solution).
contract NFTVault {
    /// @notice The only collection this vault accepts.
    address public immutable collection;
    /// @notice Who deposited token `tokenId` (address(0): not in the vault).
    mapping(uint256 => address) public depositorOf;

    event Deposited(address indexed depositor, uint256 indexed tokenId);
    event Withdrawn(address indexed depositor, uint256 indexed tokenId);

    error WrongCollection(address token);
    error NotDepositor(address caller, uint256 tokenId);

    constructor(address collection_) {
        collection = collection_;
    }

    /// @notice Called by the collection when a token is safely transferred here.
    function onERC721Received(address, address from, uint256 tokenId, bytes calldata)
        external
        returns (bytes4)
    {
        if (msg.sender != collection) revert WrongCollection(msg.sender);
        depositorOf[tokenId] = from;
        emit Deposited(from, tokenId);
        return this.onERC721Received.selector;
    }

    /// @notice Give token `tokenId` back to the one who deposited it.
    function withdraw(uint256 tokenId) external {
        if (msg.sender != depositorOf[tokenId]) revert NotDepositor(msg.sender, tokenId);
        delete depositorOf[tokenId];
        emit Withdrawn(msg.sender, tokenId);
        IERC721(collection).safeTransferFrom(address(this), msg.sender, tokenId);
    }
}
